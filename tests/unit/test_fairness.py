"""Who the fairness report counts as able to serve: the same rule assign uses (plan.Role.admits)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from shuangsuiji.core.fairness import _inspector_fairness
from shuangsuiji.core.model import Inputs
from tests.builders import enterprise, inspector, make_plan, roster


def test_only_people_some_team_place_admits_are_counted() -> None:
    plan = make_plan(teams={"roles": [{"certified": True, "department": "食品科"}, {"department": "食品科"}]})
    staff = (
        inspector("01"),
        inspector("02", certificate=""),  # the second place needs no certificate
        inspector("03", department="药品科"),  # no place is open to this department
        inspector("04", status="休假"),
        inspector("05", certificate_expiry=date(2026, 12, 30)),  # expires before the plan ends: second place
    )
    eligible, _, df = _inspector_fairness(Inputs(roster([enterprise("1" * 18)]), staff), plan, Counter())
    assert eligible == ["01", "02", "05"]
    assert df == 2


def test_workloads_against_an_even_share() -> None:
    plan = make_plan()
    staff = (inspector("01"), inspector("02"), inspector("03", certificate=""))
    eligible, statistic, df = _inspector_fairness(
        Inputs(roster([]), staff), plan, Counter({"01": 6, "02": 2})
    )
    assert eligible == ["01", "02"]  # every place needs a certificate
    assert statistic == (6 - 4) ** 2 / 4 + (2 - 4) ** 2 / 4
    assert df == 1
