"""The results vocabulary and the 20-working-day publication deadline, on real holiday dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.core.results import (
    RESULT_WORDS,
    DrawnTask,
    DrawState,
    EnteredRow,
    Publication,
    PublicationState,
    Published,
    Result,
    SheetPlace,
    canonical_result,
    check_entries,
    ledger_statuses,
    publication_deadline,
)
from shuangsuiji.io.workdays import deadline, is_workday


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("未发现问题", "未发现问题"),
        (" 未发现 问题 ", "未发现问题"),
        (
            "通过登记的住所(经营场所)无法联系",
            "通过登记的住所（经营场所）无法联系",
        ),  # ASCII brackets, as typed
        ("违反《食品安全法》相关规定", "违反《食品安全法》相关规定"),
        ("违反《中华人民共和国广告法》第九条相关规定", "违反《中华人民共和国广告法》第九条相关规定"),
        ("违反……相关规定", None),  # the placeholder itself names no regulation
        ("违反《》相关规定", None),
        ("违反相关规定", None),
        ("没问题", None),
        ("", None),
    ],
)
def test_results_are_the_national_words(written: str, canonical: str | None) -> None:
    assert canonical_result(written) == canonical


def test_every_word_is_its_own_canonical_form() -> None:
    assert [canonical_result(word) for word in RESULT_WORDS] == list(RESULT_WORDS)


# Deadlines counted by hand from the State Council's notices (国办发明电〔2025〕7号 for 2026):
# 国庆·中秋 2026: 9月25日 and 10月1日–7日 off, 9月20日 (Sun) and 10月10日 (Sat) worked;
# 春节 2026: 2月15日–23日 off, 2月14日 (Sat) and 2月28日 (Sat) worked.
@pytest.mark.parametrize(
    ("completed", "last", "weekdays_only"),
    [
        (date(2026, 9, 18), date(2026, 10, 22), date(2026, 10, 16)),  # across 中秋 and 国庆
        (date(2026, 2, 6), date(2026, 3, 12), date(2026, 3, 6)),  # across 春节
        (date(2026, 12, 1), date(2026, 12, 29), date(2026, 12, 29)),  # no holiday in between
    ],
)
def test_deadline_on_the_working_day_calendar(completed: date, last: date, weekdays_only: date) -> None:
    assert deadline(completed) == (last, True)
    assert publication_deadline(completed, lambda day: day.weekday() < 5) == weekdays_only
    assert is_workday(date(2026, 10, 10)) and not is_workday(date(2026, 10, 5))


def test_a_year_the_calendar_does_not_know_is_an_estimate() -> None:
    last, exact = deadline(date(2030, 6, 3))
    assert not exact and last == date(2030, 7, 1)  # 20 weekdays after Monday 3 June


def test_ledger_statuses_flag_what_is_overdue() -> None:
    weekdays = lambda day: (publication_deadline(day, lambda d: d.weekday() < 5), False)  # noqa: E731
    draws = [
        DrawState(1, "P1", "a" * 64, date(2026, 12, 31), 3),  # replaced by the redraw (entry 2)
        DrawState(2, "P1", "b" * 64, date(2026, 12, 31), 3),
        DrawState(3, "P2", "c" * 64, None, 2),  # made before the ledger kept plan ends
    ]
    publications = [PublicationState(4, "b" * 64, date(2027, 3, 1), [("T1", date(2026, 12, 10))])]
    statuses = ledger_statuses(draws, publications, date(2027, 3, 1), weekdays)
    assert statuses[1] == ("已被重新抽取取代", False)
    assert statuses[2] == ("结果已公告 1/3；2 项逾期未公告（应在约 2027-01-28 前公告）", True)
    assert statuses[3] == ("结果已公告 0/2", False)
    assert statuses[4] == ("第 1 次结果公告，1 项；1 项逾期公告", True)


TASKS = [DrawnTask(f"T-{i:05d}", f"9152010{i:011d}", f"企业{i}") for i in range(1, 13)]
PLACE = SheetPlace("录入.xlsx", "检查结果录入")


def entered(
    task: DrawnTask, row: int, day: int | None, result: str = "未发现问题", note: str = ""
) -> EnteredRow:
    completed = date(2026, 12, day) if day else None
    text = completed.isoformat() if completed else ""
    return EnteredRow(
        row,
        task.task_id,
        task.enterprise_name,
        task.enterprise_id,
        completed,
        text,
        result if day else "",
        note,
    )


@given(
    days=st.lists(st.one_of(st.none(), st.integers(1, 20)), min_size=len(TASKS), max_size=len(TASKS)),
    order=st.permutations(range(len(TASKS))),
    earlier_days=st.dictionaries(st.integers(0, len(TASKS) - 1), st.integers(1, 20), max_size=4),
)
def test_a_sheet_publishes_the_same_whatever_its_row_order(
    days: list[int | None], order: list[int], earlier_days: dict[int, int]
) -> None:
    earlier = {
        TASKS[i].task_id: Published(
            Result(
                TASKS[i].task_id,
                TASKS[i].enterprise_id,
                TASKS[i].enterprise_name,
                date(2026, 12, d),
                "未发现问题",
                "",
            ),
            1,
        )
        for i, d in earlier_days.items()
    }

    def check(indices: list[int]) -> Publication:
        rows = [entered(TASKS[i], row, days[i]) for row, i in enumerate(indices, start=2)]
        return check_entries(
            rows, TASKS, earlier, place=PLACE, plan_start=date(2026, 12, 1), today=date(2026, 12, 20)
        )

    straight, shuffled = check(list(range(len(TASKS)))), check(order)
    assert straight.results == shuffled.results and straight.pending == shuffled.pending
    assert [r.task_id for r in straight.results] == sorted(r.task_id for r in straight.results)  # task order
    assert not straight.problems
    # Every task is accounted for exactly once.
    accounted = [
        r.task_id for r in straight.results if r.task_id not in {c.new.task_id for c in straight.corrections}
    ]
    accounted += (
        [c.new.task_id for c in straight.corrections]
        + straight.unchanged
        + straight.earlier_only
        + straight.pending
    )
    assert sorted(accounted) == [t.task_id for t in TASKS]
