"""Everything the user sees in the terminal: progress bars, tables, errors (all on stderr), and the
machine-readable output of --json (on stdout)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
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

from .core.beijing_time import beijing_time
from .core.compare import Verdict, verdict_rows
from .core.draw import drawn_breakdown, population_counts
from .core.errors import Problem, ProblemsError, ShuangsuijiError
from .core.fairness import Check, describe, family_level, stratum_name
from .core.model import Stratum

if (
    TYPE_CHECKING
):  # for annotations only: importing the pipeline loads numpy and pyarrow, which a message does not need
    from .io.ledger import LedgerEntry, LedgerResult, LedgerTask
    from .io.workspace import NewWorkspace
    from .pipeline import DrawOutcome, FairnessOutcome
    from .results import Draw, PublishOutcome

console = Console(stderr=True, highlight=False)


def plain(value: object) -> str:
    """Data for a rich string: brackets in names, seeds, paths or messages (e.g. "[[teams.roles]]")
    are shown as they are, never read as markup."""
    return escape(str(value))


class RichReporter:
    """Shows each pipeline stage as a progress bar (a spinner when the size is unknown); the bars
    are cleared when the work stops, so that only the results stay on the screen."""

    def __init__(self, out: Console | None = None) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out or console,  # looked up now, not when the class was defined
            transient=True,
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
        """Clear the bars and release the terminal (after a failure too: the message says where)."""
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
    console.print(f"承诺时间：{plain(beijing_time(str(commitment.get('created_at', ''))))}（北京时间）")
    console.print(
        f"承诺摘要（请与承诺文件一同公布）：[bold]{commitment['commitment_sha256']}[/]", soft_wrap=True
    )


def print_error(error: ShuangsuijiError) -> None:
    """One sentence for one problem; a table when there are several."""
    problems = error.problems if isinstance(error, ProblemsError) else []
    errors = [p for p in problems if p.severity == "error"]
    if len(errors) > 1:
        console.print(problems_table(problems, f"发现 {len(errors)} 处错误，没有写出任何文件"))
    console.print(f"[bold red]错误：[/]{plain(error)}", soft_wrap=True)


def print_summary(outcome: DrawOutcome) -> None:
    """Per-stratum numbers, teams formed and where the files are."""
    result = outcome.result
    columns = outcome.plan.selection.strata
    table = Table(
        title=plain(f"{outcome.plan.info.name}（{outcome.plan.info.id}）抽取结果"), header_style="bold"
    )
    for header in (*columns, "符合条件", "比例", "应抽", "实抽", "重点检查", "入选概率"):
        if header in columns:  # stratum values fold when space is short; the numbers never do
            table.add_column(header, overflow="fold")
        else:
            table.add_column(header, justify="right", no_wrap=True)
    strata = result.selection.strata
    shown = strata if len(strata) <= SCREEN_STRATA else _by_class(strata, len(columns))
    for s in shown:
        if isinstance(s, tuple):  # a credit class's strata, folded into one line
            table.add_row(*map(plain, s))
            continue
        table.add_row(
            *map(plain, s.key),
            str(s.eligible),
            _rule(s),
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
    if len(strata) > SCREEN_STRATA:
        from .io.writers import ASSIGNMENTS

        console.print(
            f"共 {len(strata)} 层，上表按信用风险等级合并；各层的数字见 {ASSIGNMENTS} 的“分层汇总”工作表。"
        )
    # The numbers add up: every row of the roster is in exactly one of these, and every task is
    # either drawn at random or a must-inspect enterprise (重点检查, drawn regardless of quota).
    console.print(f"{plain(population_counts(result))}；")
    console.print(
        f"共抽取 [bold]{len(result.tasks)}[/] 户（{drawn_breakdown(result)}），"
        f"组成 {len(result.tasks)} 个检查组，派出执法人员 {len(result.workloads)} 人。"
    )
    if outcome.warnings:
        console.print(problems_table(outcome.warnings, f"{len(outcome.warnings)} 条提示（不影响抽取）"))
    console.print(f"抽取时间：{plain(beijing_time(str(outcome.record['created_at'])))}（北京时间）")
    console.print(f"随机种子：[bold]{plain(result.seed)}[/]", soft_wrap=True)
    console.print(f"结果摘要：{outcome.record['result_digest']}", soft_wrap=True)
    console.print(f"输出文件夹：[bold]{plain(outcome.out_dir)}[/]")
    if outcome.ledger_entry is not None:
        console.print(f"已记入抽取台账第 {outcome.ledger_entry} 条。")
    for name, meaning in written_files(outcome.record):
        console.print(f"  {plain(name)}  {meaning}", soft_wrap=True)


# More strata than a screen shows (a province: 信用风险等级 × 102 登记机关 = 408) are folded by class;
# the workbook keeps every one.
SCREEN_STRATA = 40


def _rule(stratum: Stratum) -> str:
    """A stratum's drawing rule as the summary shows it: its ratio, or its weight in count mode."""
    return percent(stratum.ratio) if stratum.weight is None else f"权重 {stratum.weight}"


def _by_class(strata: Sequence[Stratum], width: int) -> list[tuple[str, ...]]:
    """One summary line per credit class: its strata's numbers added up, the ratio where they share
    one, the selection probability left out (it differs between strata)."""
    lines = []
    for cls in sorted({s.credit_class for s in strata}):
        part = [s for s in strata if s.credit_class == cls]
        rules = {_rule(s) for s in part}
        quota = str(sum(s.quota for s in part))
        lines.append(
            (
                f"{cls}（{len(part)} 层）",
                *([""] * (width - 1)),
                str(sum(s.eligible for s in part)),
                rules.pop() if len(rules) == 1 else "各层不同",
                quota,
                quota,
                str(sum(s.must_inspect for s in part)),
                "",
            )
        )
    return lines


def written_files(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a draw wrote into its folder, a (name, meaning) pair per file or folder, names padded to
    one width: the three usual files, and for a draw past a worksheet's limits (docs/record.md) the
    per-bureau folder, the public list as CSV and Parquet and the record's list files."""
    from .io.big_outputs import BY_AUTHORITY, LIST_FILES, PUBLIC_CSV, PUBLIC_PARQUET
    from .io.writers import ASSIGNMENTS, DISCLOSURE, RECORD

    files = [(ASSIGNMENTS, "分派表（内部）"), (DISCLOSURE, "公示表（可公开）")]
    if "split_lists" in record:  # the two workbooks give the whole draw by bureau
        files = [
            (ASSIGNMENTS, "分派表（内部）：各登记机关户数、分层、工作量"),
            (DISCLOSURE, "公示表（可公开）：各登记机关户数"),
        ]
        folders = {name.split("/")[1] for name in record["outputs"] if name.startswith(f"{BY_AUTHORITY}/")}
        lists = {"tasks": "检查对象", "excluded": "未参加抽取的企业"}
        files += [
            (f"{BY_AUTHORITY}/", f"{len(folders)} 个登记机关各一个文件夹，内有分派表和公示表"),
            (PUBLIC_CSV, "公示名单全文（可公开，供网站数据库导入）"),
            (PUBLIC_PARQUET, "公示名单全文，Parquet 格式"),
        ]
        files.append((RECORD, "抽取记录（审计），附以下两个清单文件"))
        files += [
            (LIST_FILES[key], f"抽取记录中的{lists[key]}，{record['split_lists'][key]['rows']:,} 行")
            for key in LIST_FILES
        ]
    else:
        files.append((RECORD, "抽取记录（审计）"))
    width = max(cell_len(name) for name, _ in files)
    return [(name + " " * (width - cell_len(name)), meaning) for name, meaning in files]


DRAW_RECOMPUTED = "这次抽取可以由记录和保存的名录原样复算出来。"
PUBLICATION_RECOMPUTED = "这次公告可以由结果记录、保存的录入表和抽取记录原样复算出来。"


def print_verdict(verdict: Verdict, recomputed: str = DRAW_RECOMPUTED) -> None:
    """The verify table: area, item, same or different, and what differs; `recomputed` says what an
    identical verdict proves."""
    table = Table(title=f"复核：{plain(verdict.folder)}", header_style="bold")
    for header in ("项目", "对象", "结论", "说明"):
        table.add_column(header, overflow="fold")
    colours = {"一致": "green", "未核对": "yellow", "不同": "bold red"}
    for area, item, same, detail in _folded(verdict_rows(verdict)):
        table.add_row(plain(area), plain(item), f"[{colours[same]}]{same}[/]", plain(detail))
    console.print(table)
    unchecked = "、".join(dict.fromkeys(f.area for f in verdict.findings if not f.checked))
    if verdict.identical:
        also = f"（{unchecked}未核对，见上表）" if unchecked else ""
        console.print(f"[bold green]复核结论：完全一致[/]{also}。{recomputed}")
    else:
        console.print("[bold red]复核结论：有不同之处[/]，见上表中标为“不同”的各行。")


def _folded(rows: Sequence[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """A province's hundreds of identical stratum rows as one; a stratum that differs keeps its row."""
    area = "分层与名额"
    strata = [row for row in rows if row[0] == area]
    if len(strata) <= SCREEN_STRATA:
        return list(rows)
    kept = [row for row in strata if row[2] != "一致"]
    same = len(strata) - len(kept)
    summary = (area, f"{len(strata)} 层" if not kept else f"其余 {same} 层", "一致", "")
    at = rows.index(strata[0])
    others = [row for row in rows if row[0] != area]
    return [*others[:at], *kept, *([summary] if same else []), *others[at:]]


LIST_DIGEST_LENGTH = 12  # hex digits of a digest in list views: enough to tell entries apart, fits 80 columns
ENTRY_KINDS = {"drawn": "抽取成功", "failed": "未能抽取", "published": "结果公告"}
REDONE_KINDS = {"drawn": "重新抽取", "published": "更正公告"}  # the redraw flag of a draw, of a publication


def _entry_kind(entry: LedgerEntry) -> str:
    if entry.status == "failed":
        return f"[red]{ENTRY_KINDS['failed']}[/]"
    kinds = REDONE_KINDS if entry.redraw else ENTRY_KINDS
    return kinds.get(entry.status, plain(entry.status))


def print_ledger(
    entries: Sequence[LedgerEntry], path: Path, statuses: Mapping[int, tuple[str, bool]] | None = None
) -> None:
    """The ledger as a table, oldest first, readable at 80 columns: the columns a clerk looks for are
    never cut, the seed folds into what is left; reasons and each draw's and publication's results
    status follow the table, one line per entry (full values: ledger show)."""
    statuses = statuses or {}
    table = Table(
        title=f"抽取台账：{plain(path)}",
        header_style="bold",
        box=box.SIMPLE_HEAD,  # no vertical rules: more room for the values (rich 15 drops characters
        # from folded cells with show_edge=False or pad_edge=False, so both stay as they are)
        caption="时间为北京时间；完整内容见 shuangsuiji ledger show 编号",
        caption_justify="left",
    )
    table.add_column("编号", no_wrap=True, justify="right")
    table.add_column("时间", no_wrap=True)
    table.add_column("计划编号", overflow="fold", min_width=13)  # a typical id whole; longer ones fold
    table.add_column("状态", no_wrap=True)
    table.add_column("结果摘要", no_wrap=True)
    table.add_column("种子", overflow="fold", min_width=6)
    for e in entries:
        table.add_row(
            str(e.id),
            beijing_time(e.created_at, seconds=False),
            plain(e.plan_id),
            _entry_kind(e),
            e.result_digest[:LIST_DIGEST_LENGTH],
            plain(e.seed),
        )
    console.print(table)
    for e in entries:
        if e.reason:
            console.print(f"第 {e.id} 条说明：{plain(e.reason)}")
        words, overdue = statuses.get(e.id, ("", False))
        if words:
            console.print(f"第 {e.id} 条：" + (f"[red]{plain(words)}[/]" if overdue else plain(words)))


def print_workspace(made: NewWorkspace) -> None:
    """What `init` made, and the next steps with the commands as they are to be typed."""

    def shown(path: Path) -> str:
        text = str(path)
        return plain(f'"{text}"' if any(ch.isspace() for ch in text) else text)

    files = Table.grid(padding=(0, 2))
    files.add_row(plain(made.plan.name), plain("抽查计划：[plan] 一节是示例，请改为本次的"))
    for label, path in made.rosters:
        files.add_row(plain(path.name), f"{plain(label)}模板")
    files.add_row(plain(made.ledger.name), f"抽取台账（与 {plain(made.head.name)} 一同备份）")
    console.print(f"[bold green]已建立工作区[/]：{plain(made.folder)}")
    console.print(files)
    console.print("每个模板的“填写说明”工作表说明各列；“示例”工作表只是示例，不会被读取。")
    plan, commitment = shown(made.plan), shown(made.folder / f"承诺-{made.month}.json")
    console.print("[bold]接下来[/]：")
    console.print("  1. 填写名录模板（回避名单、检查记录没有就只留表头）")
    console.print(f"  2. 修改 {plain(made.plan.name)}：编号、名称、检查机关、日期、比例、检查组")
    commands = (
        f"shuangsuiji validate --plan {plan}",
        f'shuangsuiji seed commit --plan {plan} --out {commitment} --source "种子来源（如某日彩票开奖号码）"',
        f'shuangsuiji draw --plan {plan} --seed-value "开奖号码" '
        f"--out {shown(made.folder / '抽取结果' / made.month)} --commitment {commitment}",
    )
    for number, command in enumerate(commands, 3):
        console.print(f"  {number}. {command}", soft_wrap=True)  # one line: copied as a whole


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


def print_ledger_entry(
    entry: LedgerEntry, tasks: Sequence[LedgerTask], results: Sequence[LedgerResult] = ()
) -> None:
    """One ledger entry in full, with its tasks (a draw) or its results (a publication)."""
    for label, value in (
        ("编号", entry.id),
        ("时间（北京时间）", beijing_time(entry.created_at)),
        ("计划编号", entry.plan_id),
        ("检查日期自", entry.plan_start),
        ("检查日期至", entry.plan_end or "（未记）"),
        ("结果", ENTRY_KINDS.get(entry.status, entry.status)),
        ("重新抽取", "是" if entry.redraw else "否"),
        ("原因或说明", entry.reason),
        ("种子", entry.seed),
        ("结果摘要", entry.result_digest),
        ("抽取记录哈希", entry.record_sha256),  # label and 64 hex digits fit one 80-column line
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
    if results:
        table = Table(header_style="bold")
        for header in ("抽查任务编号", "统一社会信用代码", "检查完成日期", "检查结果", "备注"):
            table.add_column(header, overflow="fold")
        for r in results:
            table.add_row(
                *(plain(v) for v in (r.task_id, r.enterprise_key, r.completed_on, r.result, r.note))
            )
        console.print(table)


def print_fairness(outcome: FairnessOutcome) -> None:
    """Per stratum: how often each enterprise was drawn against the binomial expectation, the three
    tests' p-values, and the verdict with its family-wise level."""
    report = outcome.report
    table = Table(
        title=plain(f"公平性检验：{report.runs} 次模拟（种子 {report.seeds[0]} … {report.seeds[1]}）"),
        caption=plain(f"期望：每户期望抽中次数；离散度、分布、极值：三项检验的 p 值；{family_level(report)}"),
        header_style="bold",
    )
    for header in ("分层", "户数", "应抽", "期望", "最少–最多", "离散度", "分布", "极值", "结论"):
        table.add_column(header, justify="left" if header in ("分层", "结论") else "right")
    for s in report.strata:
        table.add_row(
            plain(stratum_name(s.key)),
            str(s.eligible),
            str(s.quota),
            f"{s.mean:.1f}",
            f"{s.min_count}–{s.max_count}",
            *(_p_value(s.check(kind)) for kind in ("dispersion", "histogram", "extremes")),
            "[bold red]不均等[/]" if s.flagged else "[green]均等[/]",
        )
    console.print(table)
    if report.must_inspect:
        console.print(f"重点检查企业 {report.must_inspect} 户每次必抽，不参加抽取，不在检验之内。")
    key, person, count = report.top_pair
    console.print(
        f"执法人员（仅供参考，不计入结论）：{len(report.inspector_counts)} 人，工作量卡方 p 值 "
        f"{report.inspector_p_value:.3g}（持稀缺专业者被需要得更多，不要求相等）；"
        f"最常见的企业与人员组合 {plain(key)}/{plain(person)} {count} 次"
        f"（该企业人均 {report.pair_expected:.1f} 次）。"
    )
    if report.failed_runs:
        console.print(f"[yellow]有 {report.failed_runs} 次模拟未能组成检查组，未计入。[/]")
    console.print(("[bold green]" if not report.flagged else "[bold red]") + plain(describe(report)) + "[/]")
    console.print(f"输出文件夹：[bold]{plain(outcome.out_dir)}[/]（{'、'.join(outcome.files)}）")


def _p_value(check: Check | None) -> str:
    """A test's p-value as a cell ("—" when the stratum has no such test), red if rejected."""
    if check is None:
        return "—"
    p = check.p_value
    text = "≈0" if p == 0 else f"{p:.0e}" if p < 1e-3 else f"{p:.2g}"  # fits an 80-column terminal
    return f"[bold red]{text}[/]" if check.rejected else text


def print_template(out: Path, draw: Draw) -> None:
    """What `results template` wrote."""
    console.print(
        f"[bold green]已生成检查结果录入表[/]：{plain(out)}（{draw.info.id}，{len(draw.tasks)} 个抽查任务）"
    )
    console.print("请在“检查完成日期”“检查结果”“备注”三列填写；尚未完成的任务整行留空。预填的列不要修改。")


def print_publication(outcome: PublishOutcome) -> None:
    """What `results publish` published, what is pending, and what was late."""
    published = outcome.publication
    for warning in outcome.warnings:
        console.print(f"[yellow]提示[/]：{plain(warning.message)}")
    console.print(
        f"[bold green]已公告[/]：{outcome.draw.info.name}（{outcome.draw.info.id}）"
        f"第 {outcome.number} 次公告，{len(published.results)} 项检查结果"
        + (f"（其中更正 {len(published.corrections)} 项）" if published.corrections else "")
    )
    earlier = len(published.earlier_only) + len(published.unchanged)
    if earlier:
        console.print(f"此前已公告：{earlier} 项（本次不重复公告）")
    if published.pending:
        shown = "、".join(published.pending[:3]) + (" 等" if len(published.pending) > 3 else "")
        console.print(f"[yellow]待公告[/]：{len(published.pending)} 项（{shown}）")
    else:
        console.print("这次抽取的全部任务都已公告。")
    if outcome.late:
        estimated = any(not exact for _, _, exact in outcome.late)
        console.print(
            f"[yellow]逾期[/]：{len(outcome.late)} 项结果在检查完成后超过 20 个工作日才公告"
            + ("（部分日期所在年份的节假日安排尚未收录，按周一至周五估算）" if estimated else "")
        )
    if outcome.ledger_entry is not None:
        console.print(f"已记入抽取台账第 {outcome.ledger_entry} 条")
    console.print(f"输出文件夹：{plain(outcome.out_dir)}")
    console.print("  bulletin.xlsx        抽查结果公告（可公开）")
    console.print("  results-record.json  结果记录（审计，可用 shuangsuiji verify 复核）")
