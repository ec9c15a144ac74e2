"""The whole draw as one pure function: selection, then teams, then task numbers.

The pipeline calls it with parsed inputs; `verify` and the fairness simulation call it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .assign import Staffing, assignment_order
from .model import DrawResult, EnterpriseRoster, HistoryEntry, Inputs, Selection, Task
from .plan import Plan
from .select import select

# Who chooses the enterprises: core.select.select (the reference), or an engine with the same
# contract (io/engine.py runs it in DuckDB over the normalised roster table).
Selector = Callable[[EnterpriseRoster, Plan, str, Iterable[HistoryEntry]], Selection]


def task_id(plan: Plan, number: int) -> str:
    """抽查任务编号: the plan id and a 5-digit sequence number."""
    return f"{plan.info.id}-{number:05d}"


def compute_draw(inputs: Inputs, plan: Plan, seed: str, selector: Selector = select) -> DrawResult:
    """Select the enterprises and staff every task; deterministic in (inputs, plan, seed)."""
    selection = selector(inputs.enterprises, plan, seed, inputs.history)
    picked = inputs.enterprises.records([p.index for p in selection.picks])
    enterprises = {p.enterprise_key: e for p, e in zip(selection.picks, picked, strict=True)}
    order = assignment_order(seed, enterprises)
    staffing = Staffing(
        plan, seed, [enterprises[k] for k in order], inputs.inspectors, inputs.recusals, inputs.history
    )
    staffing.solve()
    teams = dict(zip(order, staffing.teams(), strict=True))
    tasks = tuple(
        Task(task_id(plan, number), enterprises[pick.enterprise_key], pick, teams[pick.enterprise_key])
        for number, pick in enumerate(selection.picks, start=1)
    )
    return DrawResult(seed, selection, tasks, staffing.workloads())


def drawn_breakdown(result: DrawResult) -> str:
    """How the tasks were drawn: 随机抽取 96 户，重点检查 9 户 (must-inspect ones regardless of quota)."""
    must = sum(s.must_inspect for s in result.selection.strata)
    return f"随机抽取 {len(result.tasks) - must} 户，重点检查 {must} 户"


def population_counts(result: DrawResult) -> str:
    """Where every row of the roster went, adding up to the roster's size."""
    selection = result.selection
    must = sum(s.must_inspect for s in selection.strata)
    eligible = sum(s.eligible for s in selection.strata)
    return (
        f"名录 {selection.population} 户 = 范围外 {selection.out_of_scope} 户 + 未参加抽取 "
        f"{len(selection.exclusions)} 户 + 重点检查 {must} 户 + 参加随机抽取 {eligible} 户"
    )
