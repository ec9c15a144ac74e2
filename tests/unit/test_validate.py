"""Cross-file checks: what `validate` says before any draw."""

from __future__ import annotations

from shuangsuiji.core.model import Inputs
from shuangsuiji.core.validate import check_inputs
from tests.builders import enterprise, inspector, make_plan, roster


def test_an_industry_nobody_can_staff_is_named_before_the_draw() -> None:
    rows = [
        enterprise("K1", industry="餐饮服务"),
        enterprise("K2", industry="食品生产"),
        enterprise("K3", industry="食品生产"),
    ]
    staff = (
        inspector("P1", specialties=frozenset({"餐饮服务"})),
        inspector("P2", specialties=frozenset({"食品生产"}), certificate=""),  # a specialist, but uncertified
        inspector("P3"),
    )
    plan = make_plan(teams={"size": 2, "certified": 2, "specialist": 1})
    messages = [p.message for p in check_inputs(Inputs(roster(rows), staff), plan) if p.severity == "warning"]
    assert messages == [
        "名录中 2 户“食品生产”企业一旦被抽中就无法组成检查组：没有在岗的持证且具“食品生产”专业的人员"
    ]


def test_a_mapped_specialty_counts_and_plans_without_specialists_are_not_checked() -> None:
    rows = [enterprise("K1", industry="食品生产")]
    staff = (inspector("P1", specialties=frozenset({"食品安全"})), inspector("P2"))
    mapped = make_plan(
        teams={"size": 2, "certified": 2, "specialist": 1, "specialty_map": {"食品生产": ["食品安全"]}}
    )
    assert not check_inputs(Inputs(roster(rows), staff), mapped)
    assert not check_inputs(Inputs(roster(rows), staff[1:] * 2), make_plan())


def test_people_left_out_by_their_status_are_listed_word_by_word() -> None:
    staff = (
        inspector("P1"),
        inspector("P2", status="在岗"),
        inspector("P3", status="正常"),  # a roster's own word for "at work": said, not lost in silence
        inspector("P4", status="休假"),
        inspector("P5", status="正常"),
    )
    found = [
        p
        for p in check_inputs(Inputs(roster([enterprise("K1")]), staff), make_plan())
        if p.code == "off-duty-status"
    ]
    assert [(p.severity, p.column, dict(p.params)) for p in found] == [
        ("warning", "在岗状态", {"words": {"休假": 1, "正常": 2}})
    ]
    assert "“正常” 2 人" in found[0].message


def test_nobody_off_duty_says_nothing() -> None:
    staff = (inspector("P1"), inspector("P2", status="在岗"))
    assert not [
        p
        for p in check_inputs(Inputs(roster([enterprise("K1")]), staff), make_plan())
        if p.code == "off-duty-status"
    ]


def test_a_bureau_without_its_own_staff_is_named_under_own_authority() -> None:
    rows = [
        enterprise("K1", authority="甲局"),
        enterprise("K2", authority="乙局"),
        enterprise("K3", authority="乙局"),
        enterprise("K4", authority="丙局"),
        enterprise("K5", authority=""),
    ]
    staff = (
        inspector("P1", department="甲局"),
        inspector("P2", department="甲局"),
        inspector("P3", department="乙局"),
        inspector("P4", department="丙局"),
        inspector("P5", department="丙局", certificate=""),  # two people, but one role unfillable
    )
    plan = make_plan(teams={"own_authority": True})
    found = [p for p in check_inputs(Inputs(roster(rows), staff), plan) if p.code == "unstaffable-authority"]
    assert [p.message.split("的企业")[0] for p in found] == [
        "名录中 1 户登记机关一栏为空",
        "名录中 1 户登记机关为“丙局”",
        "名录中 2 户登记机关为“乙局”",
    ]
    assert all(p.severity == "warning" for p in found) and "只有 1 人" in found[2].message
    assert not [p for p in check_inputs(Inputs(roster(rows), staff), make_plan()) if "authority" in p.code]
