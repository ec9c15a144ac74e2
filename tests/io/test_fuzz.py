"""Fuzzing the readers through the command line (issue 5): random bytes, random cells, random headers.

Whatever the file, `validate` exits 0 or 2 (never 1, the code of an internal error, nor anything
else) and prints no traceback; when it exits 2, `draw` with the same file exits 2 too and leaves no
output folder. (When the file is valid, draw may rightly make one.)
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.core.ids import uscc_check_char
from shuangsuiji.io.xlsx import Cell, Sheet, write_workbook

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "config" / "plan.toml"
HEADERS = {
    "enterprises": ["统一社会信用代码", "企业名称", "信用风险等级", "所属区域", "行业类别", "登记机关",
                    "经营状态", "最近检查日期", "重点检查", "地址", "法定代表人", "联系电话"],
    "inspectors": ["人员编号", "姓名", "所属部门", "执法证号", "执法证有效期至", "专业领域", "所属区域",
                   "在岗状态", "任务上限", "身份证号", "手机号"],
    "conflicts": ["人员编号", "统一社会信用代码", "回避原因"],
    "history": ["统一社会信用代码", "检查日期", "人员编号"],
}  # fmt: skip
ROLES = sorted(HEADERS)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid_workbook() -> bytes:
    stream = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "good.xlsx"
        body = "91520102" + "000000001"
        write_workbook(
            path,
            [
                Sheet(
                    "名录",
                    HEADERS["enterprises"],
                    [[body + uscc_check_char(body), "某某餐饮店", "A"] + [None] * 9],
                )
            ],
        )
        stream.write(path.read_bytes())
    return stream.getvalue()


GOOD = _valid_workbook()


def _check(role: str, suffix: str, data: bytes) -> None:
    """Validate the file, and when it has errors, draw with it: the contract of the module docstring."""
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        path = base / f"roster{suffix}"
        path.write_bytes(data)
        runner = CliRunner()
        checked = runner.invoke(app, ["validate", "--plan", str(PLAN), f"--{role}", str(path), "--json"])
        assert "Traceback" not in checked.output
        assert checked.exit_code in (0, 2), checked.output
        if checked.exit_code != 2:
            return
        out = base / "out"
        drawn = runner.invoke(
            app,
            [
                "draw",
                "--plan",
                str(PLAN),
                "--seed",
                "fuzz",
                "--out",
                str(out),
                "--quiet",
                f"--{role}",
                str(path),
                "--ledger",
                str(base / "ledger.sqlite"),
            ],
        )
        assert "Traceback" not in drawn.output
        assert drawn.exit_code == 2, drawn.output
        assert not out.exists()
        assert sorted(p.name for p in base.iterdir() if p.is_dir()) == []


def _workbook(header: Sequence[Cell], rows: Sequence[Sequence[Cell]]) -> bytes:
    width = max([len(header), *(len(r) for r in rows)])
    padded = [[*r, *[None] * (width - len(r))] for r in rows]
    names = [str(h) if h is not None else "" for h in header] + [""] * (width - len(header))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.xlsx"
        write_workbook(path, [Sheet("名录", names, padded)])
        return path.read_bytes()


def _csv(header: Sequence[Cell], rows: Sequence[Sequence[Cell]], encoding: str) -> bytes:
    lines = [
        ",".join("" if v is None else str(v).replace(",", "，") for v in line) for line in [header, *rows]
    ]
    return "\r\n".join(lines).encode(encoding, errors="replace")


# ----------------------------------------------------------------------------------------------
# Random bytes.


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    buffer = bytearray(data)
    for position, value in edits:
        buffer[position % len(buffer)] = value
    return bytes(buffer[:cut] if cut else buffer)


@FUZZ
@given(
    role=st.sampled_from(ROLES),
    suffix=st.sampled_from([".xlsx", ".csv", ".xlsm"]),
    data=st.one_of(st.binary(max_size=2048), st.binary(max_size=512).map(lambda b: b"PK\x03\x04" + b)),
)
def test_random_bytes(role: str, suffix: str, data: bytes) -> None:
    _check(role, suffix, data)


@FUZZ
@given(
    role=st.sampled_from(ROLES),
    edits=st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), max_size=8),
    cut=st.none() | st.integers(1, len(GOOD)),
)
def test_damaged_workbook(role: str, edits: list[tuple[int, int]], cut: int | None) -> None:
    """A valid workbook with a few bytes changed and perhaps cut short: the zip and XML paths."""
    _check(role, ".xlsx", _mutate(GOOD, edits, cut))


@FUZZ
@given(
    role=st.sampled_from(ROLES),
    member=st.sampled_from(
        ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]
    ),
    content=st.binary(max_size=300) | st.text(max_size=200).map(str.encode),
)
def test_replaced_zip_member(role: str, member: str, content: bytes) -> None:
    """A well-formed zip whose workbook parts are garbage."""
    stream = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(GOOD)) as source,
        zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info.filename))
    _check(role, ".xlsx", stream.getvalue())


# ----------------------------------------------------------------------------------------------
# Random cells under the real headers, and random headers.

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=24)
NEAR_VALUES = st.sampled_from(
    [
        "A",
        "b类",
        "高风险",
        "是",
        "否",
        "2024-05-01",
        "45413",
        "2024年5月1日",
        "8",
        "-1",
        "91520102000000001J",
        "520102000012345",
        "在岗",
        "=1+1",
        "@SUM(A1)",
        "\t",
        "|",
    ]
)
CELL = st.one_of(
    st.none(),
    TEXT,
    NEAR_VALUES,
    st.integers(-(10**18), 10**18),
    st.floats(allow_nan=False, allow_infinity=False),
)
ROWS = st.lists(st.lists(CELL, min_size=0, max_size=13), min_size=0, max_size=6)


@FUZZ
@given(role=st.sampled_from(ROLES), rows=ROWS, kind=st.sampled_from(["xlsx", "csv-utf8", "csv-gb18030"]))
def test_random_cells_under_real_headers(role: str, rows: list[list[Cell]], kind: str) -> None:
    header: list[Cell] = list(HEADERS[role])
    if kind == "xlsx":
        _check(role, ".xlsx", _workbook(header, rows))
    else:
        _check(role, ".csv", _csv(header, rows, "utf-8" if kind == "csv-utf8" else "gb18030"))


HEADER_WORDS = st.sampled_from(
    sorted(
        {h for names in HEADERS.values() for h in names}
        | {"企业名称（必填）", "*人员编号", "信用风险级别", "名称", "编号", "状态", "", "　"}
    )
)


@FUZZ
@given(
    role=st.sampled_from(ROLES),
    header=st.lists(st.one_of(HEADER_WORDS, TEXT), max_size=14),
    titles=st.integers(0, 12),
    rows=ROWS,
    as_csv=st.booleans(),
)
def test_random_headers(
    role: str, header: list[str], titles: int, rows: list[list[Cell]], as_csv: bool
) -> None:
    above: list[list[Cell]] = [[f"标题{i}"] for i in range(titles)]
    if as_csv:
        _check(role, ".csv", _csv(["说明"], [*above, list(header), *rows], "utf-8"))
    else:
        _check(role, ".xlsx", _workbook(["说明"], [*above, list(header), *rows]))
