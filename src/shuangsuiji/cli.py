"""The command line: options in, one library call, rendering, exit code. Nothing else.

Exit codes: 0 success; 1 the draw cannot be made; 2 bad input, plan, seed or usage.

Each command imports what it uses when it runs: the pipeline, verify and the readers load numpy,
pyarrow and fastexcel (about 0.5 s), which `seed new`, `seed combine`, `--help` and a usage error
never need (bench/bench_startup.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from . import __version__
from .cli_frame import ChineseTyper
from .core.errors import ShuangsuijiError
from .core.progress import NullReporter, Reporter
from .demo import DEMO_SEED

if TYPE_CHECKING:
    from .pipeline import InputOptions

__all__ = ["DEMO_SEED", "app", "main"]

LEDGER_FILE = "shuangsuiji-ledger.sqlite"  # ledger.LEDGER_FILE, for the help text (a test checks they agree)

app = ChineseTyper(
    name="shuangsuiji",
    help="“双随机、一公开”抽查工具：随机抽取检查对象、随机选派执法检查人员，结果可复算、可审计。\n\n"
    "示例：shuangsuiji validate --plan config/plan.toml\n"
    "示例：shuangsuiji draw --plan config/plan.toml --seed 2026120188 --out 抽取结果/2026-12\n"
    "示例：shuangsuiji demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_state: dict[str, Any] = {"debug": False}
T = TypeVar("T")

PlanOption = Annotated[
    Path, typer.Option("--plan", "-p", metavar="文件", help="抽查计划文件（TOML）", show_default=False)
]
EnterprisesOption = Annotated[
    Path | None,
    typer.Option(
        "--enterprises",
        metavar="文件",
        help="检查对象名录库（.xlsx/.csv/.parquet，或放 .parquet/.csv 文件的文件夹），优先于计划文件",
    ),
]
InspectorsOption = Annotated[
    Path | None, typer.Option("--inspectors", metavar="文件", help="执法检查人员名录库，优先于计划文件")
]
ConflictsOption = Annotated[
    Path | None, typer.Option("--conflicts", metavar="文件", help="回避名单，优先于计划文件")
]
HistoryOption = Annotated[
    Path | None, typer.Option("--history", metavar="文件", help="检查记录，优先于计划文件")
]
SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet", metavar="工作表", help="检查对象名录所在的工作表（默认：表头相符的那个可见工作表）"
    ),
]
# DuckDB's resources for a Parquet/CSV roster (draw, and verify recomputing such a draw).
MemoryLimitOption = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        metavar="大小",
        help="DuckDB 抽取可用的内存上限，如 6GB、4096MiB 或 50%；超出时溢写到临时文件夹，结果不变"
        "（默认本机内存的一半）",
        show_default=False,
    ),
]
TempDirOption = Annotated[
    Path | None,
    typer.Option(
        "--temp-dir",
        metavar="文件夹",
        help="放溢写数据和大名录临时文件的已有文件夹，抽取结束即删除（默认系统临时文件夹）",
        show_default=False,
    ),
]
LedgerOption = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        metavar="文件",
        help="抽取台账（SQLite）；默认在计划文件（ledger 命令：当前文件夹）所在的文件夹"
        f"及其上级文件夹中查找 {LEDGER_FILE}",
    ),
]


def _guarded(action: Callable[[], T], reporter: Reporter | None = None) -> T:
    """Run a command body: our errors become one Chinese message and an exit code, never a traceback."""
    try:
        return action()
    except BaseException as error:
        from . import ui  # rich and the message code: loaded when there is something to say

        if isinstance(reporter, ui.RichReporter):
            reporter.stop()  # the message must not be drawn over by a live progress bar
        if _state["debug"] and not isinstance(error, KeyboardInterrupt | typer.Exit):
            raise
        if isinstance(error, ShuangsuijiError):
            ui.print_error(error)
            raise typer.Exit(error.exit_code) from None
        if isinstance(error, KeyboardInterrupt):
            ui.console.print("[bold red]已中断[/]：没有写出任何结果。")
            raise typer.Exit(130) from None
        if isinstance(error, Exception) and not isinstance(error, typer.Exit):
            ui.console.print(
                f"[bold red]内部错误[/]：{type(error).__name__}: {ui.plain(error)}。"
                "请加 --debug 重新运行并把输出报告给开发者。"
            )
            raise typer.Exit(1) from None
        raise
    finally:
        if reporter is not None:
            reporter.finish()  # no progress bar outlives the work, whether it ended well or not


def _reporter(quiet: bool) -> Reporter:
    from . import ui

    return NullReporter() if quiet or not ui.console.is_terminal else ui.RichReporter()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shuangsuiji {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整的程序调用栈（供开发者排查）")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本")
    ] = False,
) -> None:
    """“双随机、一公开”抽查工具。"""
    _state["debug"] = debug


def _options(
    plan: Path,
    enterprises: Path | None = None,
    inspectors: Path | None = None,
    conflicts: Path | None = None,
    history: Path | None = None,
    sheet: str | None = None,
) -> InputOptions:
    """The command-line options that say where the inputs are."""
    from .pipeline import InputOptions

    return InputOptions(plan, enterprises, inspectors, conflicts, history, sheet)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="新工作区的文件夹（不存在或为空）", show_default=False)],
) -> None:
    """建立新的工作区：带注释的抽查计划、四个名录模板和抽取台账。

    名录模板有标准表头、填写说明、下拉选择和示例（示例不会被读取）。已有文件的文件夹不会被改动。
    之后：填好名录、改好计划，再 validate、seed commit、draw。
    示例：shuangsuiji init 抽查工作区
    """
    from datetime import UTC, datetime

    from . import ui
    from .core.beijing_time import beijing_date
    from .io.workspace import init_workspace

    today = beijing_date(datetime.now(UTC).isoformat())  # the example plan is next month's in China
    made = _guarded(lambda: init_workspace(folder, today))
    ui.print_workspace(made)


@app.command()
def draw(
    plan: PlanOption,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="文件夹", help="输出文件夹（须不存在或为空）", show_default=False
        ),
    ],
    seed: Annotated[
        str | None,
        typer.Option("--seed", "-s", help="随机种子（公开来源或见证人共同产生的文字）", show_default=False),
    ] = None,
    seed_value: Annotated[
        list[str] | None,
        typer.Option(
            "--seed-value",
            help="代替 --seed：各份公开来源的值（可多次给出），按 seed combine 的规则合成种子，"
            "并写入抽取记录供复核",
        ),
    ] = None,
    enterprises: EnterprisesOption = None,
    inspectors: InspectorsOption = None,
    conflicts: ConflictsOption = None,
    history: HistoryOption = None,
    sheet: SheetOption = None,
    operator: Annotated[str, typer.Option("--operator", help="操作人员姓名（写入抽取记录）")] = "",
    witness: Annotated[list[str] | None, typer.Option("--witness", help="见证人（可多次给出）")] = None,
    commitment: Annotated[
        Path | None,
        typer.Option("--commitment", metavar="文件", help="事先公布的承诺文件；名录或计划与之不符则拒绝抽取"),
    ] = None,
    ledger: LedgerOption = None,
    redraw: Annotated[
        bool, typer.Option("--redraw", help="重新抽取已抽取过的计划（须同时给出 --reason）")
    ] = False,
    reason: Annotated[str, typer.Option("--reason", help="重新抽取的原因（写入抽取记录和公示表）")] = "",
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="引擎",
            help="Parquet/CSV 名录的抽取引擎：auto（装有 DuckDB 时用它）、duckdb 或 python（参考实现）；"
            "结果相同",
        ),
    ] = "auto",
    memory_limit: MemoryLimitOption = None,
    temp_dir: TempDirOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度和汇总")] = False,
) -> None:
    """按抽查计划抽取检查对象、组成检查组，写出分派表、公示表和抽取记录，并记入抽取台账。

    示例：shuangsuiji draw --plan config/plan.toml --seed 2026120188 --out 抽取结果/2026-12
    示例：shuangsuiji draw --plan config/plan.toml --seed-value "福彩3D 2026-12-01 385" --seed-value 4271 --out 抽取结果/2026-12
    示例：shuangsuiji draw --plan 省级计划.toml --seed 2027010188 --out 抽取结果/2027-01 --memory-limit 6GB --temp-dir D:/临时
    """  # noqa: E501
    from dataclasses import replace

    from . import ui
    from .pipeline import draw_in_workspace, with_engine

    options = _options(plan, enterprises, inspectors, conflicts, history, sheet)
    options = replace(options, memory_limit=memory_limit, temp_dir=temp_dir)
    progress = _reporter(quiet)
    outcome = _guarded(
        lambda: draw_in_workspace(
            with_engine(options, engine),
            out,
            seed=seed,
            seed_values=tuple(seed_value or ()),
            commitment_file=commitment,
            ledger=ledger,
            reporter=progress,
            operator=operator,
            witnesses=witness or (),
            redraw=redraw,
            reason=reason,
        ),
        progress,
    )
    _state["outcome"] = (
        outcome  # freed by main()'s quick exit, not object by object on return (1M draw: 0.18 s)
    )
    if not quiet:
        ui.print_summary(outcome)


@app.command()
def demo(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="文件夹", help="输出文件夹（默认：当前文件夹下新建“演示抽取结果”）"
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度和汇总")] = False,
) -> None:
    """用随附的示例名录和示例计划，以固定种子“shuangsuiji-demo-2026-12”做一次完整的抽取。

    示例：shuangsuiji demo --out 演示
    """
    from . import ui
    from .pipeline import run_demo

    progress = _reporter(quiet)
    outcome = _guarded(lambda: run_demo(out, reporter=progress), progress)
    if not quiet:
        ui.print_summary(outcome)


@app.command()
def validate(
    plan: PlanOption,
    enterprises: EnterprisesOption = None,
    inspectors: InspectorsOption = None,
    conflicts: ConflictsOption = None,
    history: HistoryOption = None,
    sheet: SheetOption = None,
    seed: Annotated[str | None, typer.Option("--seed", "-s", help="同时检查准备使用的随机种子")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出到标准输出（供脚本使用）")] = False,
) -> None:
    """检查抽查计划和全部名录，列出发现的所有问题；不进行抽取。

    示例：shuangsuiji validate --plan config/plan.toml
    """
    from . import ui
    from .pipeline import run_validate, validation_json

    options = _options(plan, enterprises, inspectors, conflicts, history, sheet)
    progress = _reporter(as_json)
    _checked_plan, problems = _guarded(lambda: run_validate(options, progress, seed=seed), progress)
    if as_json:
        ui.write_json(validation_json(problems))
    else:
        ui.print_validation(problems)
    raise typer.Exit(2 if any(p.severity == "error" for p in problems) else 0)


@app.command()
def fairness(
    plan: PlanOption,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="文件夹", help="输出文件夹（须不存在或为空）", show_default=False
        ),
    ],
    runs: Annotated[int, typer.Option("--runs", "-n", help="模拟抽取的次数")] = 1000,
    enterprises: EnterprisesOption = None,
    inspectors: InspectorsOption = None,
    conflicts: ConflictsOption = None,
    history: HistoryOption = None,
    sheet: SheetOption = None,
) -> None:
    """用模拟种子把计划的抽取重复多次，检验每户企业的抽中次数是否与均等机会相符；写出 fairness.xlsx 和图表。

    执法人员的工作量只列出供参考。模拟种子形如“模拟-计划编号-00001”，只用于检验，与任何真实抽取无关。
    示例：shuangsuiji fairness --plan config/plan.toml --runs 1000 --out 公平性
    """
    from . import ui
    from .pipeline import run_fairness

    options = _options(plan, enterprises, inspectors, conflicts, history, sheet)
    progress = _reporter(False)
    outcome = _guarded(lambda: run_fairness(options, runs, out, reporter=progress), progress)
    ui.print_fairness(outcome)
    raise typer.Exit(1 if outcome.report.flagged else 0)


@app.command("verify")
def verify_command(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="文件夹",
            help="抽取的输出文件夹（含 draw-record.json），或结果公告的文件夹（含 results-record.json）",
            show_default=False,
        ),
    ],
    plan: Annotated[
        Path | None,
        typer.Option("--plan", "-p", metavar="文件", help="与记录比较的计划文件（可省略：计划已在记录中）"),
    ] = None,
    enterprises: EnterprisesOption = None,
    inspectors: InspectorsOption = None,
    conflicts: ConflictsOption = None,
    history: HistoryOption = None,
    sheet: SheetOption = None,
    ledger: Annotated[
        Path | None,
        typer.Option(
            "--ledger", metavar="文件", help="同时核对这次抽取在抽取台账中的记录（不给出时不核对台账）"
        ),
    ] = None,
    commitment: Annotated[
        Path | None,
        typer.Option(
            "--commitment",
            metavar="文件",
            help="核对事先公布的承诺文件（不给出时核对输出文件夹中保存的副本）",
        ),
    ] = None,
    draw: Annotated[
        Path | None,
        typer.Option(
            "--draw",
            metavar="文件夹",
            help="复核结果公告时：同时与这个抽取文件夹核对（不给出时用公告文件夹中保存的抽取记录）",
        ),
    ] = None,
    memory_limit: MemoryLimitOption = None,
    temp_dir: TempDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出到标准输出（供脚本使用）")] = False,
) -> None:
    """复算一次抽取或一次结果公告，逐项比较；完全一致退出码 0，有不同 1，无法复算 2。

    抽取按抽取记录和输出文件夹中保存的名录复算；结果公告按结果记录、保存的录入表和抽取记录复算。
    只有输出文件夹也能复核（需要的副本都在其中）；给出 --ledger 时同时核对台账。
    示例：shuangsuiji verify 抽取结果/2026-12
    示例：shuangsuiji verify 结果/2026-12
    """
    from . import ui
    from .results import RESULTS_RECORD
    from .verify import verify, verify_publication

    if (folder / RESULTS_RECORD).is_file():
        verdict = _guarded(lambda: verify_publication(folder, ledger=ledger, draw_dir=draw))
        if as_json:
            ui.write_json(verdict.as_json())
        else:
            ui.print_verdict(verdict, ui.PUBLICATION_RECOMPUTED)
        raise typer.Exit(0 if verdict.identical else 1)

    overrides = {
        "enterprises": enterprises,
        "inspectors": inspectors,
        "conflicts": conflicts,
        "history": history,
    }
    progress = _reporter(as_json)
    verdict = _guarded(
        lambda: verify(
            folder,
            overrides=overrides,
            plan_path=plan,
            sheet=sheet,
            ledger=ledger,
            commitment=commitment,
            reporter=progress,
            memory_limit=memory_limit,
            temp_dir=temp_dir,
        ),
        progress,
    )
    if as_json:
        ui.write_json(verdict.as_json())
    else:
        ui.print_verdict(verdict)
    raise typer.Exit(0 if verdict.identical else 1)


results_app = ChineseTyper(
    help="抽查结果公告（第二个“一公开”）：生成检查结果录入表，填好后公告，与抽取一一对应。\n\n"
    "示例：shuangsuiji results template 抽取结果/2026-12 --out 录入.xlsx\n"
    "示例：shuangsuiji results publish 抽取结果/2026-12 --results 录入.xlsx --out 结果/2026-12",
    no_args_is_help=True,
)
app.add_typer(results_app, name="results")
DrawDirArgument = Annotated[
    Path, typer.Argument(metavar="文件夹", help="抽取的输出文件夹（含 draw-record.json）", show_default=False)
]


@results_app.command("template")
def results_template(
    draw_dir: DrawDirArgument,
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="文件", help="要写出的检查结果录入表（.xlsx，不能已存在）")
    ],
) -> None:
    """为一次抽取生成检查结果录入表：每个抽查任务一行，预填的列锁定，待填的列有下拉选择。

    预填抽查任务编号、市场主体名称、统一社会信用代码/注册号和检查人员；待填检查完成日期、检查结果和备注。

    示例：shuangsuiji results template 抽取结果/2026-12 --out 录入.xlsx
    """
    from . import ui
    from .results import run_template

    draw = _guarded(lambda: run_template(draw_dir, out))
    ui.print_template(out, draw)


@results_app.command("publish")
def results_publish(
    draw_dir: DrawDirArgument,
    results: Annotated[Path, typer.Option("--results", "-r", metavar="文件", help="填好的检查结果录入表")],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="文件夹", help="新的公告文件夹（不能已存在且有文件）")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="更正已公告的结果时必须说明原因（写入结果记录和公告说明）")
    ] = "",
    ledger: LedgerOption = None,
) -> None:
    """检查填好的录入表并公告其中的检查结果，记入抽取台账。

    写出抽查结果公告 bulletin.xlsx（可公开）和结果记录 results-record.json。留空的任务不公告，列为待公告；
    以后再次公告同一次抽取时写入新的文件夹。录入表有错时逐条指出（文件、工作表、行、列），什么也不写。
    示例：shuangsuiji results publish 抽取结果/2026-12 --results 录入.xlsx --out 结果/2026-12
    """
    from . import ui
    from .results import run_publish

    outcome = _guarded(lambda: run_publish(draw_dir, results, out, ledger=ledger, reason=reason))
    ui.print_publication(outcome)


@app.command("sql")
def sql_command(
    plan: PlanOption,
    dialect: Annotated[
        str, typer.Option("--dialect", metavar="方言", help="duckdb 或 spark（4.0 及以上）")
    ] = "duckdb",
    counts: Annotated[
        Path | None,
        typer.Option(
            "--counts",
            metavar="文件",
            help="脚本第 1 部分导出的分层计数（CSV）；给出时只输出第 2 部分：名额表",
        ),
    ] = None,
) -> None:
    """输出抽取检查对象的 SQL 脚本，供省级数据团队在自己的引擎上运行；抽取结果与 draw 完全相同。

    脚本开头写明输入表、列名、种子填在哪里和三个步骤；名额由本程序按计划规则精确计算（--counts）。
    示例：shuangsuiji sql --plan config/plan.toml --dialect spark > 抽取.sql
    示例：shuangsuiji sql --plan config/plan.toml --dialect spark --counts counts.csv > 名额.sql
    """
    from .io.engine import sql_script

    sys.stdout.write(_guarded(lambda: sql_script(plan, dialect, counts)))


seed_app = ChineseTyper(
    help="随机种子：事先承诺、合成、生成。\n\n"
    "示例：shuangsuiji seed commit --plan config/plan.toml --out 承诺.json\n"
    '示例：shuangsuiji seed combine "福彩3D 2026-12-01 385" 4271 6093',
    no_args_is_help=True,
)
app.add_typer(seed_app, name="seed")


@seed_app.command("new")
def seed_new() -> None:
    """用操作系统的密码学随机数生成一个种子（没有公开仪式时使用），并打印出来。

    示例：shuangsuiji seed new
    """
    import secrets

    from .core.ceremony import fresh_seed

    sys.stdout.write(fresh_seed(secrets.token_bytes(16)) + "\n")


@seed_app.command("combine")
def seed_combine(
    values: Annotated[
        list[str],
        typer.Argument(
            metavar="来源", help="各方公开的种子来源，如彩票开奖号码、见证人给出的数字", show_default=False
        ),
    ],
) -> None:
    """把几份公开来源合成一个种子；与给出的顺序无关，只要有一份来源不可预测，结果就不可预测。

    示例：shuangsuiji seed combine "福彩3D 2026-12-01 385" 4271 6093
    """
    from .core.ceremony import combine_seeds

    sys.stdout.write(_guarded(lambda: combine_seeds(values)) + "\n")


@seed_app.command("commit")
def seed_commit(
    plan: PlanOption,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="文件", help="写出的承诺文件（不得已存在）", show_default=False),
    ],
    source: Annotated[
        list[str] | None, typer.Option("--source", help="事先宣布的种子来源（可多次给出）")
    ] = None,
    enterprises: EnterprisesOption = None,
    inspectors: InspectorsOption = None,
    conflicts: ConflictsOption = None,
    history: HistoryOption = None,
) -> None:
    """在种子产生之前，为计划和全部名录生成指纹（承诺文件），供事先公布。

    示例：shuangsuiji seed commit --plan config/plan.toml --out 承诺.json --source "福利彩票3D 2026-12-01 开奖号码"
    """  # noqa: E501
    from . import ui
    from .pipeline import write_commitment

    options = _options(plan, enterprises, inspectors, conflicts, history)
    made = _guarded(lambda: write_commitment(options, out, source or ()))
    ui.print_commitment(out, made)


ledger_app = ChineseTyper(
    help="抽取台账：每一次抽取（成功或失败）都按顺序记入，前后以哈希相连，不可删改。\n\n"
    "示例：shuangsuiji ledger list\n"
    "示例：shuangsuiji ledger show 3",
    no_args_is_help=True,
)
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("init")
def ledger_init(
    folder: Annotated[
        Path, typer.Argument(metavar="文件夹", help="工作文件夹（默认：当前文件夹）", show_default=False)
    ] = Path(),
) -> None:
    """在工作文件夹中建立抽取台账（每个工作区只建立一次）。之后在这个文件夹或它的子文件夹中的计划都记入这本台账。

    示例：shuangsuiji ledger init
    """
    from . import ui
    from .io.ledger import head_path
    from .io.workspace import init_ledger

    path = _guarded(lambda: init_ledger(folder))
    ui.print_ledger_created(path, head_path(path))


@ledger_app.command("list")
def ledger_list(ledger: LedgerOption = None) -> None:
    """列出台账中的全部抽取和结果公告，以及每次抽取的结果公告进度。

    检查结果应在检查完成后 20 个工作日内公告（按国家法定节假日和调休计算），逾期的标出。

    示例：shuangsuiji ledger list
    """
    from . import ui
    from .results import ledger_overview

    path, entries, statuses = _guarded(lambda: ledger_overview(ledger, Path.cwd()))
    ui.print_ledger(entries, path, statuses)


@ledger_app.command("show")
def ledger_show(
    entry: Annotated[int, typer.Argument(metavar="编号", help="台账编号", show_default=False)],
    ledger: LedgerOption = None,
) -> None:
    """显示台账中的一条记录：时间、计划、种子、摘要和每个检查任务（结果公告：每项公告的检查结果）。

    示例：shuangsuiji ledger show 3
    """
    from . import ui
    from .io.workspace import ledger_entry

    found, tasks, results = _guarded(lambda: ledger_entry(ledger, Path.cwd(), entry))
    ui.print_ledger_entry(found, tasks, results)


@ledger_app.command("check")
def ledger_check(ledger: LedgerOption = None) -> None:
    """检查台账是否完整：有记录被改动、删除或调换顺序，或台账被清空、截断、替换时，退出码为 1。

    示例：shuangsuiji ledger check
    """
    from . import ui
    from .io.workspace import check_ledger

    path, problems = _guarded(lambda: check_ledger(ledger, Path.cwd()))
    ui.print_ledger_check(path, problems)
    if problems:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point, with a quick exit.

    After a command has finished and its output is flushed, the process ends at once instead of
    letting the interpreter free a million-row roster object by object. Measured with
    bench/bench_exit.py (1M enterprises, 5 rounds, medians): the process ends 0.10 s after main()
    with os._exit, 1.71 s after it with a normal interpreter exit.
    """
    try:
        code = app(standalone_mode=False)  # usage errors are said in Chinese by cli_frame.ChineseGroup
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)
