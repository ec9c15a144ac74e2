"""Chinese everywhere on the command line: the help frame, usage errors, Beijing time, progress bars
that leave nothing behind, and tables that stay readable at 80 columns.

These tests also pin what cli_frame takes from typer and click (the exception class names and
attributes, the command functions kept as `__wrapped__`): an upgrade that changes them fails here.
"""

from __future__ import annotations

import enum
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import pyte
import pytest
import typer
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from shuangsuiji import cli_frame, ui
from shuangsuiji.cli import app
from shuangsuiji.io.ledger import Ledger
from tests.builders import SAMPLE, SAMPLE_PLAN, ledger_at

runner = CliRunner()

# Words of click's and typer's own English frame, none of which may reach a clerk's screen.
ENGLISH_FRAME = (
    "Usage",
    "Options",
    "Commands",
    "Arguments",
    "Show this message",
    "default",
    "required",
    "TEXT",
    "PATH",
    "INTEGER",
    "list[",
    "<str>",
    "<int>",
    "<path>",
    "OPTIONS",
    "COMMAND",
    "ARGS",
    "Error",
    "Try",
)


def _commands(group: Any, ctx: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, typer.core.TyperGroup):
            yield from _commands(command, ctx, (*path, name))


def every_command() -> list[tuple[tuple[str, ...], Any]]:
    root = typer.main.get_command(app)
    with root.make_context("shuangsuiji", ["--help"], resilient_parsing=True) as ctx:
        return list(_commands(root, ctx))


def names_in_the_app() -> set[str]:
    """Every command and option name: the only ASCII words a usage error may show besides the
    user's own text."""
    names = {"shuangsuiji", "--help", "-h", "--debug", "--version"}
    for path, command in every_command():
        names |= set(path)
        for param in command.params:
            names |= {*param.opts, *param.secondary_opts}
    return names


def foreign_letters(message: str, allowed: set[str]) -> str:
    """What is left of `message` once the allowed words are taken out: it must hold no ASCII letter."""
    for word in sorted(allowed, key=len, reverse=True):
        message = message.replace(word, " ")
    return "".join(re.findall(r"[A-Za-z]+", message))


# ---------------------------------------------------------------------------------------------
# Help


@pytest.mark.parametrize("path", [(), *(p for p, _c in every_command())], ids=" ".join)
def test_every_help_page_is_chinese_with_an_example(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    page = result.output
    assert page.lstrip().startswith("用法：shuangsuiji")
    assert "示例：" in page
    assert "显示本帮助并退出" in page
    assert not [word for word in ENGLISH_FRAME if word in page]
    assert all(cell_len(line) <= 80 for line in page.splitlines())


def test_every_value_word_is_chinese_or_a_choice_list() -> None:
    for path, command in every_command():
        for param in command.params:
            if getattr(param, "is_flag", False):
                continue
            word = cli_frame.metavar(param, command)
            assert word and not re.search(r"[A-Za-z]", word), (path, param.name, word)


def test_defaults_and_required_are_shown_in_chinese() -> None:
    page = runner.invoke(app, ["fairness", "--help"], env={"COLUMNS": "120"}).output
    runs = next(line for line in page.splitlines() if "--runs, -n" in line)
    assert "整数" in runs and "[默认：1000]" in runs
    plan = next(line for line in page.splitlines() if "--plan, -p" in line)
    assert "*" in plan and "文件" in plan and "[必填]" in plan


def test_commands_are_listed_in_the_clerks_order() -> None:
    paths = [" ".join(p) for p, _c in every_command()]
    assert set(paths) <= set(cli_frame.COMMAND_ORDER), "add new commands to cli_frame.COMMAND_ORDER"
    assert paths == [p for p in cli_frame.COMMAND_ORDER if p in paths]
    page = runner.invoke(app, ["--help"], env={"COLUMNS": "80"}).output
    listed = re.findall(r"^│ (\w+) ", page.split("命令", 1)[1], flags=re.MULTILINE)
    assert listed == [p for p in paths if " " not in p]
    assert listed.index("validate") < listed.index("seed") < listed.index("draw") < listed.index("verify")


def test_a_bare_command_shows_its_help_page() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 2
    assert result.output.lstrip().startswith("用法：shuangsuiji [选项] 命令") and "错误" not in result.output
    seed = runner.invoke(app, ["seed"])
    assert seed.exit_code == 2 and "用法：shuangsuiji seed" in seed.output and "commit" in seed.output


# ---------------------------------------------------------------------------------------------
# Usage errors


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["drw"], "没有 drw 这个命令，是否想写 draw？用 shuangsuiji --help 查看用法。"),
        (["ledger", "lst"], "没有 lst 这个命令，是否想写 list？用 shuangsuiji ledger --help 查看用法。"),
        (["--debug"], "缺少命令。用 shuangsuiji --help 查看用法。"),
        (
            ["draw", "--plan", "p.toml", "--sed", "1"],
            "没有 --sed 这个选项，是否想写 --seed 或 --sheet？用 shuangsuiji draw --help 查看用法。",
        ),
        (["draw", "-z"], "没有 -z 这个选项。用 shuangsuiji draw --help 查看用法。"),
        (["draw"], "缺少选项 --plan（须给出文件）。用 shuangsuiji draw --help 查看用法。"),
        (["verify"], "缺少参数“文件夹”。用 shuangsuiji verify --help 查看用法。"),
        (["seed", "combine"], "缺少参数“来源”。用 shuangsuiji seed combine --help 查看用法。"),
        (
            ["fairness", "--plan", "p.toml", "--out", "f", "--runs", "很多"],
            "选项 --runs 的值须为整数，而不是“很多”。用 shuangsuiji fairness --help 查看用法。",
        ),
        (
            ["ledger", "show", "三"],
            "参数“编号”的值须为整数，而不是“三”。用 shuangsuiji ledger show --help 查看用法。",
        ),
        (["demo", "--out"], "选项 --out 后面需要给出文件夹。用 shuangsuiji demo --help 查看用法。"),
        (
            ["demo", "--quiet=yes"],
            "选项 --quiet 不带值，只写 --quiet 即可。用 shuangsuiji demo --help 查看用法。",
        ),
        (
            ["seed", "new", "2026-12-01", "385"],
            "多出了参数“2026-12-01 385”：这个命令不需要它；值中有空格时，请用引号把整个值括起来。"
            "用 shuangsuiji seed new --help 查看用法。",
        ),
    ],
)
def test_usage_errors_are_one_chinese_sentence(args: list[str], sentence: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output == f"错误：{sentence}\n"
    assert foreign_letters(result.output, names_in_the_app() | set(args)) == ""


class Kind(enum.Enum):
    FOOD = "食品"
    DRUG = "药品"


def test_a_bad_choice_names_the_choices() -> None:
    small = cli_frame.ChineseTyper(name="小工具", add_completion=False)

    @small.command()
    def pick(
        kind: Annotated[Kind, typer.Option("--kind")],
        level: Annotated[Literal["甲", "乙"], typer.Option("--level")] = "甲",
    ) -> None:
        """选一个。

        示例：小工具 pick --kind 食品
        """

    @small.command()
    def other() -> None:
        """另一个。"""

    bad_kind = runner.invoke(small, ["pick", "--kind", "烟草"])
    assert bad_kind.exit_code == 2
    assert (
        bad_kind.output
        == "错误：选项 --kind 的值须为食品、药品 之一，而不是“烟草”。用 小工具 pick --help 查看用法。\n"
    )
    bad_level = runner.invoke(small, ["pick", "--kind", "食品", "--level", "丙"])
    assert "选项 --level 的值须为甲、乙 之一，而不是“丙”" in bad_level.output
    page = runner.invoke(small, ["pick", "--help"]).output
    assert "--kind 食品|药品" in page and "[默认：甲]" in page


def test_python_dash_m_says_it_the_same_way() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji", "drw"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr == "错误：没有 drw 这个命令，是否想写 draw？用 python -m shuangsuiji --help 查看用法。\n"
    )


# ---------------------------------------------------------------------------------------------
# Beijing time, and the ledger at 80 columns


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """ui's console at 80 columns, writing into a buffer the test reads."""
    screen = io.StringIO()
    monkeypatch.setattr(ui, "console", Console(file=screen, width=80, highlight=False))
    return screen


def fill_ledger(path: Path) -> None:
    ledger_at(path)
    with Ledger(path) as book:
        book.append(
            created_at="2026-12-01T00:30:05Z",
            plan_id="GY-SJ-2026-12",
            plan_start="2026-12-01",
            status="drawn",
            seed="福彩3D 2026-12-01 开奖号码 385 与见证人张三、李四给出的数字 4271 6093 合成",
            result_digest="a1b2c3d4e5f6" + "0" * 52,
            record_sha256="0" * 64,
        )
        book.append(
            created_at="2026-12-02T17:45:00Z",
            plan_id="GY-SJ-2026-12",
            plan_start="2026-12-01",
            status="drawn",
            redraw=True,
            reason="名录导出有误，经局务会同意重新抽取，取代第 1 条；见局务会纪要 2026 年第 41 号",
            seed="2026120288",
            result_digest="fedcba987654" + "1" * 52,
            record_sha256="1" * 64,
        )
        book.append(
            created_at="2026-12-31T16:00:00Z",
            plan_id="SC-双随机-食品经营者-2027-01-第一批",
            plan_start="2027-01-01",
            status="failed",
            seed="s",
            reason="没有可用的检查组",
        )


def test_ledger_list_fits_80_columns_in_beijing_time(narrow: io.StringIO, tmp_path: Path) -> None:
    fill_ledger(tmp_path / "台账.sqlite")
    result = runner.invoke(app, ["ledger", "list", "--ledger", str(tmp_path / "台账.sqlite")])
    assert result.exit_code == 0
    screen = narrow.getvalue()
    lines = screen.splitlines()
    assert "…" not in screen
    assert all(cell_len(line) <= 80 for line in lines)
    # whole, each on one line: number, Beijing time (UTC+8, across midnight too), status, digest prefix
    assert any(re.search(r"\b1\b.*2026-12-01 08:30.*抽取成功.*a1b2c3d4e5f6", line) for line in lines)
    assert any(re.search(r"\b2\b.*2026-12-03 01:45.*重新抽取.*fedcba987654", line) for line in lines)
    assert any(re.search(r"\b3\b.*2027-01-01 00:00.*未能抽取", line) for line in lines)
    assert "a1b2c3d4e5f60" not in screen  # 12 hex digits in the list, the whole digest in `show`
    assert "时间为北京时间" in screen
    assert "第 2 条说明：名录导出有误，经局务会同意重新抽取，取代第 1 条；见局务会纪要 2026 年第 41 号" in (
        screen.replace("\n", "")
    )


def test_ledger_show_gives_beijing_time(narrow: io.StringIO, tmp_path: Path) -> None:
    fill_ledger(tmp_path / "台账.sqlite")
    result = runner.invoke(app, ["ledger", "show", "2", "--ledger", str(tmp_path / "台账.sqlite")])
    assert result.exit_code == 0
    assert "时间（北京时间）：2026-12-03 01:45:00" in narrow.getvalue()
    lines = narrow.getvalue().splitlines()
    assert "结果摘要：fedcba987654" + "1" * 52 in lines and "抽取记录哈希：" + "1" * 64 in lines
    assert all(cell_len(line) <= 80 for line in lines)


def test_a_second_draw_is_refused_with_the_first_ones_beijing_time(
    narrow: io.StringIO, tmp_path: Path
) -> None:
    ledger = tmp_path / "台账.sqlite"
    fill_ledger(ledger)
    result = runner.invoke(
        app,
        [
            "draw",
            "--plan",
            str(SAMPLE_PLAN),
            "--seed",
            "s",
            "--out",
            str(tmp_path / "o"),
            "--ledger",
            str(ledger),
        ],
    )
    assert result.exit_code == 2
    assert "已于 2026-12-03 01:45:00（北京时间）抽取过" in narrow.getvalue().replace("\n", "")


@pytest.mark.parametrize("strata", ['["信用风险等级"]', '["信用风险等级", "所属区域"]'])
def test_the_draw_summary_fits_80_columns_and_gives_beijing_time(
    narrow: io.StringIO, tmp_path: Path, strata: str
) -> None:
    import json

    from shuangsuiji.core.beijing_time import beijing_time

    plan = tmp_path / "plan.toml"
    text = SAMPLE_PLAN.read_text(encoding="utf-8").replace('"../sample_data/', f'"{SAMPLE.as_posix()}/')
    plan.write_text(re.sub(r"(?m)^strata = .*$", f"strata = {strata}", text), encoding="utf-8")
    ledger_at(Path("台账.sqlite"))
    result = runner.invoke(
        app,
        ["draw", "--plan", str(plan), "--seed", "s", "--out", str(tmp_path / "o"), "--ledger", "台账.sqlite"],
    )
    assert result.exit_code == 0, narrow.getvalue()
    screen = narrow.getvalue()
    assert "…" not in screen
    assert all(cell_len(line) <= 80 for line in screen.splitlines())
    assert any(re.match(r"│ D +│ (\S+ +│ )?\s+\d+ │ +20% │", line) for line in screen.splitlines())
    record = json.loads((tmp_path / "o" / "draw-record.json").read_text(encoding="utf-8"))
    assert f"抽取时间：{beijing_time(record['created_at'])}（北京时间）" in screen
    assert f"结果摘要：{record['result_digest']}" in screen.splitlines()


# ---------------------------------------------------------------------------------------------
# Progress bars leave nothing behind


def final_screen(stream: str, width: int = 80) -> list[str]:
    """What a terminal shows after receiving `stream`: the lines that are not blank."""
    screen = pyte.Screen(width, 200)  # tall enough that nothing scrolls out of sight
    pyte.Stream(screen).feed(stream.replace("\n", "\r\n"))
    return [line.rstrip() for line in screen.display if line.strip()]


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=80, color_system=None), out


def test_the_emulator_sees_a_bar_while_it_runs() -> None:
    console, out = terminal()
    reporter = ui.RichReporter(console)
    reporter.stage("读取名录", total=10)
    reporter.advance(4)
    reporter.progress.refresh()
    assert any("读取名录" in line for line in final_screen(out.getvalue()))
    reporter.stop()


@pytest.mark.parametrize("ending", ["finish", "stop"])
def test_no_bar_is_left_when_the_work_ends(ending: str) -> None:
    console, out = terminal()
    reporter = ui.RichReporter(console)
    reporter.stage("读取名录", total=10)
    reporter.advance(10)
    reporter.stage("抽取检查对象并组成检查组")
    reporter.progress.refresh()
    getattr(reporter, ending)()
    console.print("抽取完成")
    assert final_screen(out.getvalue()) == ["抽取完成"]


def test_validate_clears_its_bars_before_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    console, out = terminal()
    monkeypatch.setattr(ui, "console", console)
    result = runner.invoke(app, ["validate", "--plan", str(SAMPLE_PLAN)])
    assert result.exit_code == 0
    shown = final_screen(out.getvalue(), width=80)
    assert shown and shown[-1].startswith("检查通过")
    assert not [line for line in shown if "名录" in line and "━" in line]
