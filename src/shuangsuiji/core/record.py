"""The draw record (抽取记录): its JSON content, canonical form and digests (docs/record.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import Any, Protocol, TypeAlias, overload, runtime_checkable

from .. import __version__
from .assign import TEAM_ALGORITHM
from .model import DrawResult, Exclusions, HistoryEntry, InputFile, Stratum, same_items
from .plan import Plan, fraction_text
from .tickets import ALGORITHM

RECORD_VERSION = 2
# A draw too large for one worksheet keeps its long lists (tasks, excluded) in Parquet files that the
# record references (docs/record.md, "Draws past Excel's limits"): `tasks` and `excluded` change type.
SPLIT_RECORD_VERSION = 3
LEDGER_HISTORY = "ledger_history"  # the kind of the history a draw took from the ledger
LEDGER_HISTORY_FILE = "inputs/ledger-history.csv"


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
# The C encoder inside _CANONICAL, made once: JSONEncoder.encode builds it anew on every call, a
# third of the time of encoding a record's 200,000 small list items one by one. Same output; no
# check for circular references (records have none). Measured with bench/bench_record_encoding.py
# on a 1M draw's record (209,822 list items, best of 7): 546 ms with JSONEncoder.encode, 360 ms
# with this. Where CPython has no c_make_encoder, the public path is taken.
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # CPython's; not in the type stubs
_ENCODE = (
    _C_ENCODER(None, _CANONICAL.default, json.encoder.encode_basestring, None, ":", ",", True, False, True)
    if _C_ENCODER is not None
    else None
)


def archived_name(kind: str, path: str) -> str:
    """Where an input file is kept inside the output folder: inputs/<kind><suffix>."""
    if kind == LEDGER_HISTORY:
        return LEDGER_HISTORY_FILE
    return f"inputs/{kind}{PurePath(path).suffix.lower()}"


def ledger_history_csv(entries: Iterable[HistoryEntry]) -> bytes:
    """The inspections a draw took from the ledger, as the history file kept in its output folder:
    UTF-8 CSV (with BOM, for Excel) in the 检查记录 format, one row per distinct entry, sorted, so
    that the same history always gives the same bytes (verify recomputes them from this file)."""
    rows = sorted({(e.enterprise_key, e.inspected_on.isoformat(), e.inspector_id) for e in entries})
    lines = ["统一社会信用代码,检查日期,人员编号", *(",".join(row) for row in rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no spaces: the bytes every digest is taken over."""
    if _ENCODE is None:
        return _CANONICAL.encode(value).encode("utf-8")
    return "".join(_ENCODE(value, 0)).encode("utf-8")


def digest(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of `value`."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


class JoinedItems(Protocol):
    """A record list's items as canonical JSON, joined in pieces without a bytes object per item."""

    def __len__(self) -> int: ...

    def joined(self, separator: bytes) -> Iterator[bytes]: ...


EncodedItems: TypeAlias = "list[bytes] | JoinedItems"


@runtime_checkable
class ColumnEncoding(Protocol):
    """Exclusions that encode whole columns at once (io.arrow_lists.ArrowExclusions)."""

    def canonical_items(self, keys: Mapping[str, str]) -> JoinedItems: ...


# The keys of an `excluded` item (in the order of the split record's Parquet columns) and the
# Exclusions column each is read from.
EXCLUDED_FIELDS = {"enterprise_id": "enterprise_key", "reason_code": "code", "reason": "reason"}


class ColumnList(Sequence[dict[str, str]]):
    """A record list of flat text objects held as columns (key → column), made into dicts only when
    read: a province's `excluded` list has millions of rows, and a dict per row would sit beside the
    columns for nothing. `encode` gives the items' canonical JSON from whole columns when the columns
    can (Arrow's); equal to any sequence of the same dicts (the list a record file gives back)."""

    def __init__(
        self, columns: Mapping[str, Sequence[str]], encode: Callable[[], JoinedItems] | None = None
    ) -> None:
        self.columns = dict(columns)
        self._encode = encode
        self._length = len(next(iter(self.columns.values()))) if self.columns else 0

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, i: int) -> dict[str, str]: ...

    @overload
    def __getitem__(self, i: slice) -> list[dict[str, str]]: ...

    def __getitem__(self, i: int | slice) -> dict[str, str] | list[dict[str, str]]:
        if isinstance(i, slice):
            return [self[n] for n in range(len(self))[i]]
        return {key: column[i] for key, column in self.columns.items()}

    def __iter__(self) -> Iterator[dict[str, str]]:
        keys = tuple(self.columns)
        return (dict(zip(keys, values, strict=True)) for values in zip(*self.columns.values(), strict=True))

    def __eq__(self, other: object) -> bool:
        return same_items(self, other)

    __hash__ = None  # type: ignore[assignment]

    def encoded(self) -> EncodedItems:
        return self._encode() if self._encode is not None else list(map(canonical_json, self))


def excluded_entries(exclusions: Exclusions) -> ColumnList:
    """The record's `excluded` list, read off the selection's columns."""
    columns = {key: getattr(exclusions, column) for key, column in EXCLUDED_FIELDS.items()}
    if isinstance(exclusions, ColumnEncoding):
        encoder = exclusions
        return ColumnList(columns, lambda: encoder.canonical_items(EXCLUDED_FIELDS))
    return ColumnList(columns)


def encode_lists(record: Mapping[str, Any]) -> dict[str, EncodedItems]:
    """The items of each list value of `record`, each as canonical JSON bytes, encoded once.

    A 50,000-task record is encoded item by item only here; its digest and its file are both
    assembled from these bytes. A ColumnList encodes itself.
    """
    return {
        key: value.encoded() if isinstance(value, ColumnList) else list(map(canonical_json, value))
        for key, value in record.items()
        if isinstance(value, list | ColumnList)
    }


def join_items(items: EncodedItems, separator: bytes) -> Iterator[bytes]:
    """The items joined by `separator`, in pieces (one piece for a list of bytes)."""
    if isinstance(items, list):
        yield separator.join(items)
    else:
        yield from items.joined(separator)


def _canonical_parts(record: Mapping[str, Any], lists: Mapping[str, EncodedItems]) -> Iterator[bytes]:
    """canonical_json(record) in pieces, list values assembled from their pre-encoded items (hashed
    piece by piece: gluing 40 MB together first costs three times the hashing)."""
    yield b"{"
    for number, key in enumerate(sorted(record)):
        yield (b"," if number else b"") + canonical_json(key) + b":"
        items = lists.get(key)
        if items is None:
            yield canonical_json(record[key])
        else:
            yield b"["
            yield from join_items(items, b",")
            yield b"]"
    yield b"}"


def canonical_bytes(record: Mapping[str, Any], lists: Mapping[str, EncodedItems]) -> bytes:
    """canonical_json(record), with list values assembled from their pre-encoded items."""
    return b"".join(_canonical_parts(record, lists))


def body_digest(body: Mapping[str, Any], lists: Mapping[str, EncodedItems]) -> str:
    """The result digest: SHA-256 of the canonical JSON of the result body."""
    found = hashlib.sha256()
    for part in _canonical_parts(body, lists):
        found.update(part)
    return found.hexdigest()


def list_items_digest(items: EncodedItems) -> str:
    """The content digest of a record list given as its items' canonical JSON: SHA-256 of the
    canonical JSON of the whole list (what `digest(list)` gives)."""
    found = hashlib.sha256(b"[")
    for piece in join_items(items, b","):
        found.update(piece)
    found.update(b"]")
    return found.hexdigest()


def stratum_entry(stratum: Stratum, strata_columns: Sequence[str]) -> dict[str, Any]:
    """One stratum as recorded: key, sizes, the rule that gave the quota, exact probability."""
    return {
        "key": dict(zip(strata_columns, stratum.key, strict=True)),
        "credit_class": stratum.credit_class,
        "eligible": stratum.eligible,
        "ratio": fraction_text(stratum.ratio) if stratum.ratio is not None else None,
        "weight": fraction_text(stratum.weight) if stratum.weight is not None else None,
        "quota": stratum.quota,
        "drawn": stratum.quota,
        "must_inspect": stratum.must_inspect,
        "probability": fraction_text(stratum.probability),
        "cutoff_ticket": stratum.cutoff_ticket,
    }


def result_body(result: DrawResult, plan: Plan) -> dict[str, Any]:
    """What the draw decided; `result_digest` is the digest of exactly this."""
    columns = plan.selection.strata
    return {
        "algorithm": ALGORITHM,
        "team_algorithm": TEAM_ALGORITHM,
        "seed": result.seed,
        "plan": plan.canonical(),
        "strata": [stratum_entry(s, columns) for s in result.selection.strata],
        "tasks": [
            {
                "task_id": t.task_id,
                "enterprise_id": t.enterprise.key,
                "enterprise_name": t.enterprise.name,
                "credit_class": t.enterprise.credit_class,
                "stratum": dict(zip(columns, t.pick.stratum, strict=True)),
                "rank": t.pick.rank,
                "must_inspect": t.pick.must_inspect,
                "ticket": t.pick.ticket,
                "team": [m.id for m in t.team],
            }
            for t in result.tasks
        ],
        "excluded": excluded_entries(result.selection.exclusions),
    }


def build_record(
    result: DrawResult,
    body: dict[str, Any],
    result_digest: str,
    files: Sequence[InputFile],
    outputs: dict[str, str],
    contents: Mapping[str, str],
    *,
    created_at: str,
    operator: str = "",
    witnesses: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The complete record: the result body (see `result_body`), its digest, inputs, outputs (the
    SHA-256 of each file as written here, and its content digest, which no zlib build changes)."""
    selection = result.selection
    record: dict[str, Any] = {
        "record_version": RECORD_VERSION,
        "tool": {"name": "shuangsuiji", "version": __version__},
        **body,
        "plan_sha256": digest(body["plan"]),
        "created_at": created_at,
        "operator": operator,
        "witnesses": list(witnesses),
        "inputs": [
            {
                "role": f.kind,
                "path": f.path,
                "sha256": f.sha256,
                "rows": f.rows,
                "sheet": f.sheet,
                "archived": archived_name(f.kind, f.path),
            }
            for f in files
        ],
        "population": {
            "roster_rows": selection.population,
            "out_of_scope": selection.out_of_scope,
            "excluded": len(selection.exclusions),
            "eligible": sum(s.eligible for s in selection.strata),
            "must_inspect": sum(s.must_inspect for s in selection.strata),
            "drawn": len(result.tasks),
        },
        "workloads": result.workloads,
        "outputs": dict(sorted(outputs.items())),
        "output_content": dict(sorted(contents.items())),
        "result_digest": result_digest,
        **(extra or {}),
    }
    return record
