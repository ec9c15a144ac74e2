"""The domain records that flow between the I/O shell and the pure core.

The enterprise roster is columnar (one list per field) because it may hold a million rows and the
core only ever touches a few fields of most of them; everything else is a small frozen record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Literal, NamedTuple, overload

from .fields import ENTERPRISES

CREDIT_CLASSES = ("A", "B", "C", "D")
ON_DUTY_STATUSES = ("", "在岗")

# Columns a plan may stratify or scope by, mapped to the roster field that holds them.
STRATUM_FIELDS = {f.name: f.attr for f in ENTERPRISES.fields if f.stratum}  # header → Enterprise attribute


class Enterprise(NamedTuple):
    """One market entity, as read from the roster (one row)."""

    key: str
    name: str
    credit_class: str
    district: str
    industry: str
    authority: str
    status: str
    last_inspected: date | None
    must_inspect: bool
    row: int
    address: str = ""
    legal_rep: str = ""
    phone: str = ""


@dataclass(frozen=True)
class EnterpriseRoster:
    """The enterprise roster by column; index i of every list describes the same row."""

    key: Sequence[str]
    name: Sequence[str]
    credit_class: Sequence[str]
    district: Sequence[str]
    industry: Sequence[str]
    authority: Sequence[str]
    status: Sequence[str]
    last_inspected: Sequence[date | None]
    must_inspect: Sequence[bool]
    row: Sequence[int]
    address: Sequence[str]
    legal_rep: Sequence[str]
    phone: Sequence[str]

    def __len__(self) -> int:
        return len(self.key)

    def get(self, index: int) -> Enterprise:
        """The row at `index` as a record."""
        return Enterprise(
            self.key[index],
            self.name[index],
            self.credit_class[index],
            self.district[index],
            self.industry[index],
            self.authority[index],
            self.status[index],
            self.last_inspected[index],
            self.must_inspect[index],
            self.row[index],
            self.address[index],
            self.legal_rep[index],
            self.phone[index],
        )

    def records(self, indices: Sequence[int]) -> list[Enterprise]:
        """The rows at `indices`, in that order (a roster kept in Arrow fetches them in one pass)."""
        return [self.get(i) for i in indices]

    def column(self, header: str) -> Sequence[str]:
        """The column behind a Chinese stratum/scope header such as 所属区域."""
        values: Sequence[str] = getattr(self, STRATUM_FIELDS[header])
        return values

    @classmethod
    def from_records(cls, records: Sequence[Enterprise]) -> EnterpriseRoster:
        """Build the columnar roster from row records (tests and small inputs)."""
        columns = {name: [getattr(r, name) for r in records] for name in Enterprise._fields}
        return cls(**columns)


@dataclass(frozen=True, slots=True)
class Inspector:
    """One person in the inspector roster."""

    id: str
    name: str
    department: str
    certificate: str = ""
    certificate_expiry: date | None = None
    specialties: frozenset[str] = frozenset()
    district: str = ""
    status: str = ""
    max_tasks: int | None = None
    row: int = 0
    id_card: str = ""
    phone: str = ""

    @property
    def on_duty(self) -> bool:
        """Only 在岗 (or an empty status) may be drawn."""
        return self.status in ON_DUTY_STATUSES

    def certified_through(self, end: date) -> bool:
        """Holds a certificate that is valid for the whole plan period (up to and including `end`)."""
        if not self.certificate:
            return False
        return self.certificate_expiry is None or self.certificate_expiry >= end


@dataclass(frozen=True, slots=True)
class Recusal:
    """An inspector who must not inspect an enterprise (回避)."""

    inspector_id: str
    enterprise_key: str
    reason: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A past inspection: enterprise, date and, when known, the inspector."""

    enterprise_key: str
    inspected_on: date
    inspector_id: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class InputFile:
    """Fingerprint of one input file as it was read."""

    kind: str  # an InputKind, or record.LEDGER_HISTORY (written as "role" in the record)
    path: str
    sha256: str
    rows: int
    sheet: str = ""


@dataclass(frozen=True)
class Inputs:
    """Everything a draw reads, already parsed and checked."""

    enterprises: EnterpriseRoster
    inspectors: tuple[Inspector, ...]
    recusals: tuple[Recusal, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    files: tuple[InputFile, ...] = ()


@dataclass(frozen=True, slots=True)
class Stratum:
    """One stratum of the selection: its key, size, quota and the exact inclusion probability."""

    key: tuple[str, ...]
    credit_class: str
    eligible: int
    quota: int
    must_inspect: int = 0
    ratio: Fraction | None = None
    weight: Fraction | None = None
    cutoff_ticket: str = ""

    @property
    def probability(self) -> Fraction:
        """Inclusion probability n/N of an eligible, not must-inspect enterprise."""
        return Fraction(self.quota, self.eligible) if self.eligible else Fraction(0)


# Why an enterprise in scope could not be drawn: an excluded 经营状态 (see plan.StatusWords), or
# inspected within the plan's window. The record keeps the code; the workbook shows EXCLUSION_LABELS.
ExclusionCode = Literal["status", "window"]
EXCLUSION_LABELS: dict[ExclusionCode, str] = {"status": "经营状态", "window": "近期已检查"}


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An enterprise in scope that could not be drawn, and why."""

    index: int
    enterprise_key: str
    code: ExclusionCode
    reason: str
    name: str = ""  # the enterprise's name (未参加抽取 shows it beside the code)


def same_items(columns: Sequence[object], other: object) -> bool:
    """Whether `other` is a sequence of the same items in the same order: how a list held as
    columns compares with the list it stands for (a tuple, or a record file's list)."""
    if not isinstance(other, Sequence) or len(other) != len(columns):
        return False
    return all(a == b for a, b in zip(columns, other, strict=True))


@dataclass(frozen=True, eq=False)
class Exclusions(Sequence[Exclusion]):
    """The exclusions of a selection as columns, ordered by enterprise key.

    Columns, not an object per row, because a province excludes millions (8.5M of 50M rows): the
    engine hands over sequences backed by its own arrays, and the record and workbooks read a column
    at a time. Reading item i still gives an Exclusion, and two are equal when their items are.
    """

    positions: Sequence[int]  # each Exclusion's index (its roster row)
    enterprise_key: Sequence[str]
    code: Sequence[ExclusionCode]
    reason: Sequence[str]
    name: Sequence[str]

    @classmethod
    def of(cls, items: Iterable[Exclusion]) -> Exclusions:
        rows = list(items)
        return cls(
            [e.index for e in rows],
            [e.enterprise_key for e in rows],
            [e.code for e in rows],
            [e.reason for e in rows],
            [e.name for e in rows],
        )

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, i: int) -> Exclusion: ...

    @overload
    def __getitem__(self, i: slice) -> Exclusions: ...

    def __getitem__(self, i: int | slice) -> Exclusion | Exclusions:
        if isinstance(i, slice):
            return self.take(range(len(self))[i])
        key, code, reason = self.enterprise_key[i], self.code[i], self.reason[i]
        return Exclusion(self.positions[i], key, code, reason, self.name[i])

    def __iter__(self) -> Iterator[Exclusion]:
        columns = (self.positions, self.enterprise_key, self.code, self.reason, self.name)
        return map(Exclusion, *columns)

    def __eq__(self, other: object) -> bool:
        return same_items(self, other)

    __hash__ = None  # type: ignore[assignment]  # equal to any sequence of the same items

    def take(self, positions: Sequence[int]) -> Exclusions:
        """The exclusions at `positions`, in that order."""
        return Exclusions.of(self[i] for i in positions)


@dataclass(frozen=True, slots=True)
class Pick:
    """An enterprise chosen for inspection: by rank within its stratum, or as must-inspect."""

    index: int
    enterprise_key: str
    ticket: str
    stratum: tuple[str, ...]
    rank: int | None
    must_inspect: bool = False


@dataclass(frozen=True)
class Selection:
    """The outcome of the selection stage."""

    strata: tuple[Stratum, ...]
    picks: tuple[Pick, ...]
    exclusions: Exclusions
    population: int
    out_of_scope: int


@dataclass(frozen=True, slots=True)
class Task:
    """One inspection task: a drawn enterprise and its team, leader first."""

    task_id: str
    enterprise: Enterprise
    pick: Pick
    team: tuple[Inspector, ...]

    @property
    def leader(self) -> Inspector:
        """The 组长 (主检人): always listed first."""
        return self.team[0]


@dataclass(frozen=True)
class DrawResult:
    """A completed draw, ready to be written out."""

    seed: str
    selection: Selection
    tasks: tuple[Task, ...]
    workloads: dict[str, int] = field(default_factory=dict)
