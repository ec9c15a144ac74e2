"""Every plan value is typed and bounded: whatever a plan holds, parsing ends at once with a Plan or
a PlanError (never another exception, never minutes of arithmetic)."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core.errors import PlanError
from shuangsuiji.core.plan import DEFAULT_ACTIVE_STATUSES, DEFAULT_EXCLUDED_STATUSES, StatusWords
from shuangsuiji.core.plan_parse import SCHEMA, parse_plan, plan_from_record
from tests.builders import SAMPLE_PLAN, make_plan

VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.sampled_from(
            [
                "1e999999999",
                "3%",
                "1/0",
                "-5%",
                "0.05",
                "1/3",
                "999999999999999999999999%",
                "Infinity",
                "NaN",
                "1e-999999999",
                "2026-12-01",
                "吊销，未注销",
                "TYXYDM",
            ]
        ),
        st.dates(),
        st.datetimes(),
        st.times(),
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = [(section, key) for section, keys in SCHEMA.items() for key in keys]


@settings(max_examples=400, deadline=2000)
@given(st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=6))
def test_any_value_anywhere_gives_a_plan_or_a_plan_error(changes: list[tuple[tuple[str, str], Any]]) -> None:
    data = tomllib.loads(SAMPLE_PLAN.read_text(encoding="utf-8"), parse_float=Decimal)
    for (section, key), value in changes:
        data.setdefault(section, {})[key] = value
    try:
        parse_plan(data, SAMPLE_PLAN.parent)
    except PlanError as error:
        assert error.problems and all(p.message for p in error.problems)


def test_a_datetime_or_a_time_is_not_a_date() -> None:
    for value in (datetime(2026, 12, 1, 8, 0), time(8, 0)):
        try:
            make_plan(plan={"start": value})
        except PlanError as error:
            assert "plan.start" in str(error)
        else:
            raise AssertionError(f"{value!r} accepted as a start date")
    assert make_plan(plan={"start": date(2026, 12, 1)}).info.start == date(2026, 12, 1)


def test_huge_numbers_are_refused_not_computed() -> None:
    for ratio in ("1e999999999", Decimal("1e999999999"), "1" * 50 + "%", 10**100):
        try:
            make_plan(selection={"ratio": {"A": ratio}})
        except PlanError as error:
            assert "selection.ratio.A" in str(error)
        else:
            raise AssertionError(f"{ratio!r} accepted")


def test_the_sample_plan_lists_the_default_status_words() -> None:
    """config/plan.toml shows the defaults as comments; they must be the defaults."""
    text = SAMPLE_PLAN.read_text(encoding="utf-8")
    for key, default in (
        ("excluded_statuses", DEFAULT_EXCLUDED_STATUSES),
        ("active_statuses", DEFAULT_ACTIVE_STATUSES),
    ):
        [listed] = re.findall(rf"^# {key} = (\[.*\])$", text, flags=re.MULTILINE)
        assert tuple(json.loads(listed)) == default


def test_status_words_compare_compacted_and_unknown_words_are_unknown() -> None:
    words = StatusWords()
    assert words.excludes("吊销，未注销") and words.excludes("吊销, 未注销") and words.excludes(" 已注销 ")
    assert not words.excludes("存续（在营、开业、在册）") and words.knows("存续(在营、开业、在册)")
    assert words.knows("") and not words.knows("营业中")
    plan = make_plan(exclusion={"active_statuses": ["在业", "营业中"], "excluded_statuses": ["注销"]})
    assert plan.statuses.knows("营业中") and not plan.statuses.knows("吊销")


def test_column_mappings_are_checked_and_survive_the_record(tmp_path: Path) -> None:
    plan = make_plan(
        inputs={
            "enterprises": {
                "path": "名录.xlsx",
                "sheet": "名录",
                "columns": {"TYXYDM": "统一社会信用代码", "ZT": "经营状态"},
            }
        }
    )
    source = plan.inputs["enterprises"]
    assert source.sheet == "名录" and source.columns == {"统一社会信用代码": "TYXYDM", "经营状态": "ZT"}
    again = plan_from_record(plan.canonical(), {"enterprises": source})
    assert again.inputs["enterprises"].columns == source.columns and again.canonical() == plan.canonical()
    for columns, message in (
        ({"MC": "单位名"}, "“单位名”不是检查对象名录的列"),
        ({"A": "企业名称", "B": "企业名称"}, "对应了两个文件列"),
    ):
        try:
            make_plan(inputs={"enterprises": {"path": "x.xlsx", "columns": columns}})
        except PlanError as error:
            assert any(message in p.message for p in error.problems), error.problems
        else:
            raise AssertionError(columns)


def test_names_compared_with_the_rosters_are_compacted_like_theirs() -> None:
    """所属区域, 行业类别, 所属部门 are read without inner spaces; the plan's names are too."""
    plan = make_plan(
        scope={"districts": ["南明 区", "云岩区 "], "industries": ["餐饮　服务"]},
        teams={"size": 2, "certified": 2, "departments": ["食品 科", "执法支队"]},
    )
    assert plan.districts == ("南明区", "云岩区") and plan.industries == ("餐饮服务",)
    assert plan.teams.departments == ("食品科", "执法支队")
