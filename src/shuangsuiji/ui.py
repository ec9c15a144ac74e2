"""Everything the user sees in the terminal: progress bars, tables, errors (all on stderr), and the
machine-readable output of --json (on stdout)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .core.compare import Verdict, verdict_rows
from .core.draw import drawn_breakdown, population_counts
from .core.errors import Problem, ProblemsError, ShuangsuijiError
from .core.fairness import describe

if (
    TYPE_CHECKING
):  # for annotations only: importing the pipeline loads numpy and pyarrow, which a message does not need
    from .io.ledger import LedgerEntry, LedgerTask
    from .pipeline import DrawOutcome, FairnessOutcome

console = Console(stderr=True, highlight=False)


def plain(value: object) -> str:
    """Data for a rich string: brackets in names, seeds, paths or messages (e.g. "[[teams.roles]]")
    are shown as they are, never read as markup."""
    return escape(str(value))


class RichReporter:
    """Shows each pipeline stage as a progress bar (a spinner when the size is unknown)."""

    def __init__(self, out: Console = console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
            transient=False,
        )
        self.task: TaskID | None = None
        self.started = False

    def stage(self, label: str, total: int | None = None) -> None:
        """Close the previous bar and open a new one."""
        if not self.started:
            self.progress.start()
            self.started = True
        self._complete()
        self.task = self.progress.add_task(label, total=total)

    def advance(self, amount: int = 1) -> None:
        """Move the current bar forward."""
        if self.task is not None:
            self.progress.advance(self.task, amount)

    def _complete(self) -> None:
        if self.task is not None:
            total = self.progress.tasks[-1].total
            self.progress.update(self.task, total=total or 1, completed=total or 1)

    def finish(self) -> None:
        """Complete the last bar and release the terminal."""
        self._complete()
        self.stop()

    def stop(self) -> None:
        """Release the terminal as it is (after a failure: the bar shows where it stopped)."""
        if self.started:
            self.progress.stop()
            self.started = False


def percent(value: Fraction | None) -> str:
    """3/100 → "3%" (exact decimals where they exist, else 4 significant digits)."""
    if value is None:
        return "—"
    text = f"{float(value * 100):.4g}"
    return f"{text}%"


def problems_table(problems: Sequence[Problem], title: str) -> Table:
    """Every problem as a row: severity, file, sheet, row, column, what, what to do."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for header in ("级别", "文件", "工作表", "行", "列", "问题", "建议"):
        table.add_column(header, overflow="fold")
    for p in problems:
        level = "[red]错误[/]" if p.severity == "error" else "[yellow]提示[/]"
        table.add_row(
            level,
            plain(p.file),
            plain(p.sheet),
            "" if p.row is None else str(p.row),
            plain(p.column),
            plain(p.message),
            plain(p.hint),
        )
    return table


def write_json(value: Any) -> None:
    """--json output for scripts: indented UTF-8 JSON on stdout."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def print_validation(problems: Sequence[Problem]) -> None:
    """What `validate` found, as a table, and whether the draw can go ahead."""
    errors = [p for p in problems if p.severity == "error"]
    if problems:
        console.print(problems_table(problems, f"{len(errors)} 处错误，{len(problems) - len(errors)} 条提示"))
    console.print(
        "[bold red]检查未通过[/]：请先改正以上错误。" if errors else "[bold green]检查通过[/]：可以抽取。"
    )


def print_commitment(path: Path, commitment: dict[str, Any]) -> None:
    """Where the commitment was written, and its digest to publish with it."""
    console.print(f"承诺已写出：[bold]{plain(path)}[/]")
    console.print(
        f"承诺摘要（请与承诺文件一同公布）：[bold]{commitment['commitment_sha256']}[/]", soft_wrap=True
    )


def print_error(error: ShuangsuijiError) -> None:
    """One sentence for one problem; a table when there are several."""
    problems = error.problems if isinstance(error, ProblemsError) else []
    errors = [p for p in problems if p.severity == "error"]
    if len(errors) > 1:
        console.print(problems_table(problems, f"发现 {len(errors)} 处错误，未进行抽取"))
    console.print(f"[bold red]错误：[/]{plain(error)}", soft_wrap=True)


def print_summary(outcome: DrawOutcome) -> None:
    """Per-stratum numbers, teams formed and where the files are."""
    result = outcome.result
    columns = outcome.plan.selection.strata
    table = Table(
        title=plain(f"{outcome.plan.info.name}（{outcome.plan.info.id}）抽取结果"), header_style="bold"
    )
    for header in (*columns, "符合条件", "比例", "应抽", "实抽", "重点检查", "入选概率"):
        table.add_column(header, justify="right" if header not in columns else "left")
    strata = result.selection.strata
    for s in strata:
        table.add_row(
            *map(plain, s.key),
            str(s.eligible),
            percent(s.ratio) if s.weight is None else f"权重 {s.weight}",
            str(s.quota),
            str(s.quota),
            str(s.must_inspect),
            percent(s.probability),
        )
    if len(strata) > 1:
        eligible, drawn, must = (
            sum(getattr(s, f) for s in strata) for f in ("eligible", "quota", "must_inspect")
        )
        table.add_section()
        table.add_row(
            "合计", *([""] * (len(columns) - 1)), str(eligible), "", str(drawn), str(drawn), str(must), ""
        )
    console.print(table)
    # The numbers add up: every row of the roster is in exactly one of these, and every task is
    # either drawn at random or a must-inspect enterprise (重点检查, drawn regardless of quota).
    console.print(f"{plain(population_counts(result))}；")
    console.print(
        f"共抽取 [bold]{len(result.tasks)}[/] 户（{drawn_breakdown(result)}），"
        f"组成 {len(result.tasks)} 个检查组，派出执法人员 {len(result.workloads)} 人。"
    )
    if outcome.warnings:
        console.print(problems_table(outcome.warnings, f"{len(outcome.warnings)} 条提示（不影响抽取）"))
    console.print(f"随机种子：[bold]{plain(result.seed)}[/]    结果摘要：{outcome.record['result_digest']}")
    console.print(f"输出文件夹：[bold]{plain(outcome.out_dir)}[/]")
    if outcome.ledger_entry is not None:
        console.print(f"已记入抽取台账第 {outcome.ledger_entry} 条。")
    for name in (
        "assignments.xlsx  分派表（内部）",
        "disclosure.xlsx   公示表（可公开）",
        "draw-record.json  抽取记录（审计）",
    ):
        console.print(f"  {name}")


def print_verdict(verdict: Verdict) -> None:
    """The verify table: area, item, same or different, and what differs."""
    table = Table(title=f"复核：{plain(verdict.folder)}", header_style="bold")
    for header in ("项目", "对象", "结论", "说明"):
        table.add_column(header, overflow="fold")
    colours = {"一致": "green", "未核对": "yellow", "不同": "bold red"}
    for area, item, same, detail in verdict_rows(verdict):
        table.add_row(plain(area), plain(item), f"[{colours[same]}]{same}[/]", plain(detail))
    console.print(table)
    unchecked = "、".join(dict.fromkeys(f.area for f in verdict.findings if not f.checked))
    if verdict.identical:
        also = f"（{unchecked}未核对，见上表）" if unchecked else ""
        console.print(
            f"[bold green]复核结论：完全一致[/]{also}。这次抽取可以由记录和保存的名录原样复算出来。"
        )
    else:
        console.print("[bold red]复核结论：有不同之处[/]，见上表中标为“不同”的各行。")


def print_ledger(entries: Sequence[LedgerEntry], path: Path) -> None:
    """The ledger as a table, oldest first."""
    table = Table(title=f"抽取台账：{plain(path)}", header_style="bold")
    for header in ("编号", "时间", "计划编号", "结果", "重新抽取", "种子", "结果摘要", "说明"):
        table.add_column(header, overflow="fold")
    for e in entries:
        table.add_row(
            str(e.id),
            e.created_at,
            plain(e.plan_id),
            "抽取成功" if e.status == "drawn" else "[red]未能抽取[/]",
            "是" if e.redraw else "",
            plain(e.seed),
            e.result_digest[:16],
            plain(e.reason),
        )
    console.print(table)


def print_ledger_created(path: Path, head: Path) -> None:
    """The new ledger, and the head file to back up with it."""
    console.print(
        f"已建立抽取台账：[bold]{plain(path)}[/]（旁边的 {plain(head.name)} 是它的校验文件，请一同备份）"
    )


def print_ledger_check(path: Path, problems: Sequence[str]) -> None:
    """Every inconsistency `ledger check` found, or that the ledger is intact."""
    for problem in problems:
        console.print(f"[bold red]不一致：[/]{plain(problem)}")
    if not problems:
        console.print(f"[bold green]台账完整[/]：{plain(path)}")


def print_ledger_entry(entry: LedgerEntry, tasks: Sequence[LedgerTask]) -> None:
    """One ledger entry in full, with its tasks."""
    for label, value in (
        ("编号", entry.id),
        ("时间", entry.created_at),
        ("计划编号", entry.plan_id),
        ("检查日期自", entry.plan_start),
        ("结果", "抽取成功" if entry.status == "drawn" else "未能抽取"),
        ("重新抽取", "是" if entry.redraw else "否"),
        ("原因或说明", entry.reason),
        ("种子", entry.seed),
        ("结果摘要", entry.result_digest),
        ("抽取记录 SHA-256", entry.record_sha256),
        ("输出文件夹", entry.out_dir),
        ("本条哈希", entry.entry_hash),
        ("上一条哈希", entry.prev_hash),
    ):
        console.print(f"{label}：{plain(value)}")
    if tasks:
        table = Table(header_style="bold")
        table.add_column("统一社会信用代码")
        table.add_column("检查组（组长在前）")
        for task in tasks:
            table.add_row(plain(task.enterprise_key), plain("、".join(task.team)))
        console.print(table)


def print_fairness(outcome: FairnessOutcome) -> None:
    """Per stratum: exact probability, observed rate with its interval, and the uniformity test."""
    report = outcome.report
    table = Table(
        title=plain(f"公平性检验：{report.runs} 次模拟（种子 {report.seeds[0]} … {report.seeds[1]}）"),
        header_style="bold",
    )
    for header in ("分层", "符合条件", "应抽", "精确概率", "观察比例", "99% 区间", "卡方 p 值", "结论"):
        table.add_column(header, justify="left" if header in ("分层", "结论") else "right")
    for s in report.strata:
        table.add_row(
            plain("/".join(s.key)),
            str(s.eligible),
            str(s.quota),
            percent(s.probability),
            f"{s.observed * 100:.3f}%",
            f"{s.interval[0] * 100:.3f}%–{s.interval[1] * 100:.3f}%",
            f"{s.p_value:.3g}",
            "[bold red]不均等[/]" if s.flagged else "[green]均等[/]",
        )
    console.print(table)
    key, person, count = report.top_pair
    console.print(
        f"执法人员：{len(report.inspector_counts)} 人，工作量卡方 p 值 {report.inspector_p_value:.3g}"
        "（持稀缺专业者被需要得更多，不要求相等）；"
        f"最常见的企业与人员组合 {plain(key)}/{plain(person)} {count} 次"
        f"（该企业人均 {report.pair_expected:.1f} 次）。"
    )
    if report.failed_runs:
        console.print(f"[yellow]有 {report.failed_runs} 次模拟未能组成检查组，未计入。[/]")
    console.print(("[bold green]" if not report.flagged else "[bold red]") + describe(report.flagged) + "[/]")
    console.print(f"输出文件夹：[bold]{plain(outcome.out_dir)}[/]（{'、'.join(outcome.files)}）")
