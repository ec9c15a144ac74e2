"""The DuckDB engine gives exactly core.select.select's Selection: on the sample data, on adversarial
rosters, on random ones, from Arrow tables and from Parquet files."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.core import selection_sql
from shuangsuiji.core.errors import UsageError
from shuangsuiji.core.model import Enterprise, HistoryEntry, Selection
from shuangsuiji.core.plan import Plan
from shuangsuiji.core.select import select
from tests.builders import SAMPLE_PLAN, enterprise, make_plan, roster
from tests.unit.test_select import usccs

duckdb = pytest.importorskip("duckdb")

from shuangsuiji.io.engine import EngineSettings, roster_table, select_in_duckdb  # noqa: E402

START = date(2026, 12, 1)
SHIFTS = (-365, -364, 0, 20)  # days from the start: the window's edge, the start, after it


def both(
    rows: list[Enterprise], plan: Plan, seed: str = "2026120188", history: list[HistoryEntry] | None = None
) -> tuple[Selection, Selection]:
    """The reference selection and the engine's, on the same rows."""
    table = roster(rows)
    return (
        select(table, plan, seed, history or []),
        select_in_duckdb(roster_table(table), plan, seed, history or []),
    )


def assert_same(rows: list[Enterprise], plan: Plan, **kwargs: Any) -> Selection:
    expected, got = both(rows, plan, **kwargs)
    assert got.strata == expected.strata
    assert got.picks == expected.picks
    assert got.exclusions == expected.exclusions
    assert got == expected
    return got


def test_sample_data_matches_the_reference() -> None:
    from shuangsuiji.core.progress import NullReporter
    from shuangsuiji.io.plan_file import load_plan
    from shuangsuiji.pipeline import InputOptions, read_inputs

    plan = load_plan(SAMPLE_PLAN)
    inputs, _ = read_inputs(plan, InputOptions(SAMPLE_PLAN), NullReporter())
    expected = select(inputs.enterprises, plan, "2026120188", inputs.history)
    got = select_in_duckdb(roster_table(inputs.enterprises), plan, "2026120188", inputs.history)
    assert got == expected
    assert len(got.picks) > 50 and got.exclusions  # the sample has both


def adversarial_rows() -> list[Enterprise]:
    """Districts whose code-point order differs from pinyin order, every exclusion rule, must-inspect
    rows (one stratum has nothing else), statuses written with spaces, dates after the start."""
    keys = usccs(400, random.Random(13))
    districts = ["云岩区", "南明区", "观山湖区", "Ａ区", "a区", "B区", ""]
    rng = random.Random(5)
    rows = []
    for i, key in enumerate(keys):
        rows.append(
            enterprise(
                key,
                rng.choice("AABBBBCCD"),
                district=rng.choice(districts),
                industry=rng.choice(["餐饮服务", "食品销售", "药品零售"]),
                authority=rng.choice(["云岩区局", "南明区局"]),
                status=rng.choice(["存续", "存续", "在业", "注销", "吊销, 未注销", "", "停业"]),
                last_inspected=rng.choice([None, None, None, *(START + timedelta(days=d) for d in SHIFTS)]),
                must_inspect=i % 23 == 0,
            )
        )
    # A stratum of must-inspect rows only (class D in 观山湖区 has nothing else).
    rows = [r for r in rows if not (r.credit_class == "D" and r.district == "观山湖区")]
    rows.append(enterprise("91520115MA6K3D57X6", "D", district="观山湖区", must_inspect=True))
    return rows


HISTORY = [
    HistoryEntry(k, START - timedelta(days=d))
    for k, d in zip(usccs(400, random.Random(13))[::7], range(1, 900, 15), strict=False)
]


@pytest.mark.parametrize(
    "sections",
    [
        {"selection": {"strata": ["信用风险等级", "所属区域"], "rounding": "half_up"}},
        {
            "selection": {
                "strata": ["所属区域", "行业类别", "信用风险等级"],
                "ratio": {"B": "1/3", "C": "50%"},
            }
        },
        {"selection": {"strata": ["信用风险等级", "登记机关"], "rounding": "floor", "minimum": {"A": 500}}},
        {"selection": {"ratio": {"A": "100%", "B": "0%", "D": "12.5%"}, "minimum": {"B": 2}}},
        {"scope": {"districts": ["云岩区", "a区", "Ａ区"], "industries": ["餐饮服务"]}},
        {"selection": {"ratio": {}, "total": 37, "weights": {"A": 1, "B": 2, "C": 4, "D": 8}}},
        {
            "selection": {
                "strata": ["信用风险等级", "所属区域"],
                "ratio": {},
                "total": 1000,
                "weights": {"A": "1/2", "C": 3},
            }
        },
        {"exclusion": {"inspected_within_days": 0}},
        {
            "exclusion": {
                "excluded_statuses": [],
                "active_statuses": ["存续", "在业", "注销", "吊销，未注销", "停业"],
            }
        },
    ],
)
def test_adversarial_plans_match_the_reference(sections: dict[str, Any]) -> None:
    sections.setdefault("exclusion", {"inspected_within_days": 365})
    got = assert_same(adversarial_rows(), make_plan(**sections), history=HISTORY)
    assert got.picks


def test_window_reasons_use_the_latest_date_and_dates_after_the_start() -> None:
    rows = [
        enterprise("K1", last_inspected=START + timedelta(days=3)),
        enterprise("K2", last_inspected=START - timedelta(days=400)),
        enterprise("K3"),
    ]
    history = [
        HistoryEntry("K2", START - timedelta(days=30)),
        HistoryEntry("K2", START - timedelta(days=500)),
    ]
    got = assert_same(rows, make_plan(exclusion={"inspected_within_days": 365}), history=history)
    reasons = {e.enterprise_key: e.reason for e in got.exclusions}
    assert reasons["K1"] == "最近检查日期 2026-12-04，距计划开始 -3 天，不足 365 天"
    assert reasons["K2"] == "最近检查日期 2026-11-01，距计划开始 30 天，不足 365 天"


def test_a_short_ticket_bucket_falls_back_to_the_whole_stratum(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bound that keeps too few rows costs a second pass, never a different draw."""
    monkeypatch.setattr(
        selection_sql, "bucket_bound", lambda eligible, quota: "0000" if quota < eligible else "ffff"
    )
    got = assert_same(
        adversarial_rows(),
        make_plan(selection={"strata": ["信用风险等级", "所属区域"], "ratio": {"B": "60%", "C": "1/3"}}),
    )
    assert any(p.rank and p.rank > 10 for p in got.picks)


def test_bucket_bound_leaves_room_for_the_quota() -> None:
    assert selection_sql.bucket_bound(10, 10) == "ffff"
    assert selection_sql.bucket_bound(10, 0) == "0000"
    # 100,000 rows, quota 1,000: room for 1,000 + 8·31 + 64 = 1,312 rows, i.e. 860 buckets.
    assert int(selection_sql.bucket_bound(100_000, 1_000), 16) + 1 == -(-1_312 * 65_536 // 100_000)
    assert selection_sql.bucket_bound(200_000_000, 1) == "0000"


def test_parquet_files_number_rows_across_files(tmp_path: Path) -> None:
    rows = adversarial_rows()
    plan = make_plan(selection={"strata": ["信用风险等级", "所属区域"]})
    table = roster_table(roster(rows))
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet"]
    pq.write_table(table.slice(0, 150), paths[0])
    pq.write_table(table.slice(150, 0), paths[1])
    pq.write_table(table.slice(150), paths[2], row_group_size=64)
    expected = select(roster(rows), plan, "s")
    got = select_in_duckdb(paths, plan, "s", settings=EngineSettings("256MB", tmp_path / "spill", threads=2))
    assert got == expected
    assert max(p.index for p in got.picks) >= 150


def test_memory_limit_must_be_a_size() -> None:
    with pytest.raises(UsageError, match="内存上限"):
        select_in_duckdb(
            roster_table(roster([enterprise("K1")])), make_plan(), "s", settings=EngineSettings("lots")
        )


def test_progress_goes_to_the_reporter() -> None:
    stages: list[str] = []

    class Recorder:
        def stage(self, label: str, total: int | None = None) -> None:
            stages.append(label)

        def advance(self, amount: int = 1) -> None:
            stages.append(f"+{amount}")

        def finish(self) -> None:
            stages.append("finish")

    select_in_duckdb(roster_table(roster([enterprise("K1")])), make_plan(), "s", reporter=Recorder())
    assert stages == ["统计名录各层户数", "计算随机码并按名额抽取", "+1", "整理未参加抽取的企业"]


def test_an_empty_roster_draws_nothing() -> None:
    got = assert_same([], make_plan())
    assert got.population == 0 and not got.strata


@st.composite
def random_cases(draw: st.DrawFn) -> tuple[list[Enterprise], Plan, list[HistoryEntry], str]:
    size = draw(st.integers(0, 50))
    keys = usccs(size, random.Random(draw(st.integers(0, 10**6))))
    rows = [
        enterprise(
            k,
            draw(st.sampled_from("ABCD")),
            district=draw(st.sampled_from(["云岩区", "南明区", "Ｂ区", ""])),
            industry=draw(st.sampled_from(["餐饮服务", "食品销售"])),
            status=draw(st.sampled_from(["存续", "在业", "注销", "吊销", ""])),
            last_inspected=draw(st.none() | st.dates(date(2024, 1, 1), date(2027, 1, 31))),
            must_inspect=draw(st.integers(0, 9)) == 0,
        )
        for k in keys
    ]
    history = [HistoryEntry(k, draw(st.dates(date(2024, 1, 1), date(2026, 11, 30)))) for k in keys[::3]]
    strata = draw(
        st.sampled_from([["信用风险等级"], ["信用风险等级", "所属区域"], ["行业类别", "信用风险等级"]])
    )
    if draw(st.booleans()):
        rules: dict[str, Any] = {
            "ratio": draw(
                st.dictionaries(st.sampled_from("ABCD"), st.sampled_from(["0%", "5%", "1/3", "0.5", "100%"]))
            ),
            "rounding": draw(st.sampled_from(["ceil", "floor", "half_up"])),
            "minimum": draw(st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 3))),
        }
    else:
        rules = {
            "ratio": {},
            "total": draw(st.integers(0, 40)),
            "weights": draw(st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 5), min_size=1)),
        }
    scope = {"districts": draw(st.sampled_from([[], ["云岩区"], ["南明区", "Ｂ区"]]))}
    window = draw(st.sampled_from([0, 30, 365]))
    plan = make_plan(
        selection={"strata": strata, **rules}, scope=scope, exclusion={"inspected_within_days": window}
    )
    seed = draw(
        st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn")), min_size=1, max_size=8)
    )
    return rows, plan, history, seed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_cases())
def test_random_rosters_match_the_reference(
    case: tuple[list[Enterprise], Plan, list[HistoryEntry], str],
) -> None:
    rows, plan, history, seed = case
    seed = seed.strip().replace("|", "")
    if not seed:
        return
    assert_same(rows, plan, seed=seed, history=history)
