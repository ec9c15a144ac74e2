"""The Chinese frame around the commands: help pages, usage lines, usage errors and the order in
which commands are listed.

Built on click's public hooks as typer documents them for custom classes (`typer.Typer(cls=...)`,
`@app.command(cls=...)`): `format_help`, `format_usage`, `get_help_option`, `parse_args`,
`resolve_command`, `list_commands` and `main`. The help page is drawn here, from the parameters'
public attributes and the command functions' own annotations, rather than by typer's rich_utils,
whose English panel titles, `<list[str]>` metavars and "[default: ...]" are module constants with no
supported way to change them. Usage errors are recognised by click's exception class names and
their attributes (`option_name`, `param`); nothing is read out of click's English messages.
tests/cli/test_chinese_cli.py pins every case, so a typer upgrade that changes them fails there.
"""

from __future__ import annotations

import enum
import inspect
import io
import shutil
import sys
import types
import typing
from collections.abc import Callable, Sequence
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from .core.errors import UsageError

if TYPE_CHECKING:
    from rich.console import RenderableType
    from typer._click import Context, HelpFormatter, Parameter  # annotations only

# The clerk's day, in order: every command and subcommand is listed here, and help lists them so.
# A new command is added to this list (tests/cli/test_chinese_cli.py fails until it is).
COMMAND_ORDER: tuple[str, ...] = (
    "init",
    "validate",
    "seed",
    "seed commit",
    "seed new",
    "seed combine",
    "draw",
    "verify",
    "results",
    "results template",
    "results publish",
    "fairness",
    "sql",
    "ledger",
    "ledger init",
    "ledger list",
    "ledger show",
    "ledger check",
    "demo",
)

HELP_OPTION_TEXT = "显示本帮助并退出"
HELP_WIDTH_LIMIT = 100  # wider lines are hard to read; narrower terminals get their own width

# What a value is, by the type a command function declares for it (an option's own metavar wins).
VALUE_WORDS: dict[type, str] = {str: "文本", int: "整数", float: "数值", Path: "路径", bool: "是或否"}


class UsageMistake(UsageError):
    """A command line that cannot be run as typed, said in one Chinese sentence."""

    def __init__(self, sentence: str, command_path: str) -> None:
        super().__init__(sentence)
        self.command_path = command_path


# ---------------------------------------------------------------------------------------------
# What a parameter is called and what it takes


def _annotations(command: Any) -> dict[str, Any]:
    """The command function's parameter annotations (typer keeps the function as `__wrapped__`)."""
    callback = getattr(command, "callback", None)
    if callback is None:
        return {}
    try:
        return typing.get_type_hints(inspect.unwrap(callback), include_extras=True)
    except (NameError, TypeError):
        return {}


def _value_type(annotation: Any) -> Any:
    """`Annotated[list[str] | None, ...]` → `str`: the type of one value given on the command line."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(arguments) == 1:
        annotation = arguments[0]
        arguments = list(typing.get_args(annotation))
    if typing.get_origin(annotation) in (list, tuple, Sequence) and arguments:
        return _value_type(arguments[0])
    return annotation


def _choices(value_type: Any) -> list[str]:
    """The allowed values of an Enum or Literal type, else nothing."""
    if isinstance(value_type, type) and issubclass(value_type, enum.Enum):
        return [str(member.value) for member in value_type]
    if typing.get_origin(value_type) is typing.Literal:
        return [str(value) for value in typing.get_args(value_type)]
    return []


def _takes_value(param: Parameter) -> bool:
    return not getattr(param, "is_flag", False)


def metavar(param: Parameter, command: Any) -> str:
    """The word shown for a parameter's value: its own metavar, else one from its declared type."""
    if param.metavar:
        return param.metavar
    value_type = _value_type(_annotations(command).get(param.name or ""))
    if choices := _choices(value_type):
        return "|".join(choices)
    return VALUE_WORDS.get(value_type, "值")


def _expected(param: Parameter, command: Any) -> str:
    """What a valid value is, for an error sentence: "整数", "甲、乙 之一"."""
    value_type = _value_type(_annotations(command).get(param.name or ""))
    if choices := _choices(value_type):
        return f"{'、'.join(choices)} 之一"
    return VALUE_WORDS.get(value_type, metavar(param, command))


def _is_argument(param: Parameter) -> bool:
    return getattr(param, "param_type_name", "") == "argument"


def _param_label(param: Parameter, command: Any) -> str:
    """How an error names a parameter: 选项 --plan, or 参数“文件夹”."""
    if _is_argument(param):
        return f"参数“{metavar(param, command)}”"
    return f"选项 {param.opts[0]}" if param.opts else f"选项 {param.name}"


# ---------------------------------------------------------------------------------------------
# Usage errors


def _click_kinds(error: BaseException) -> set[str]:
    """The click exception classes `error` is an instance of, by name (typer vendors click)."""
    return {cls.__name__ for cls in type(error).__mro__ if cls.__module__.split(".")[0] in ("click", "typer")}


def _given_value(error: BaseException) -> str | None:
    """The value typer failed to convert: the `input` of the validation error it was raised from."""
    errors = getattr(error.__cause__, "errors", None)
    if not callable(errors):
        return None
    try:
        items = errors()
    except Exception:
        return None
    if items and isinstance(items[0], dict) and "input" in items[0]:
        return str(items[0]["input"])
    return None


def _option_names(command: Any, ctx: Context) -> list[str]:
    names: list[str] = []
    for param in command.get_params(ctx):
        if not _is_argument(param):
            names += [*param.opts, *param.secondary_opts]
    return names


def _suggestion(close: Sequence[str]) -> str:
    return f"，是否想写 {' 或 '.join(close)}？" if close else ""


def usage_sentence(error: BaseException, ctx: Context | None) -> str | None:
    """The Chinese sentence for a click usage error, or None when `error` is not one."""
    kinds = _click_kinds(error)
    if "UsageError" not in kinds or "NoArgsIsHelpError" in kinds:
        return None
    ctx = getattr(error, "ctx", None) or ctx
    command = ctx.command if ctx is not None else None
    param = getattr(error, "param", None)
    if "NoSuchOption" in kinds:
        name = str(getattr(error, "option_name", ""))
        known = _option_names(command, ctx) if command is not None and ctx is not None else []
        return f"没有 {name} 这个选项" + _suggestion(get_close_matches(name, known, n=2))
    if "BadOptionUsage" in kinds:
        name = str(getattr(error, "option_name", ""))
        found = next(
            (p for p in getattr(command, "params", []) if name in (*p.opts, *p.secondary_opts)), None
        )
        if found is not None and not _takes_value(found):
            return f"选项 {name} 不带值，只写 {name} 即可"
        word = metavar(found, command) if found is not None else "值"
        return f"选项 {name} 后面需要给出{word}"
    if "MissingParameter" in kinds and param is not None:
        if _is_argument(param):
            return f"缺少{_param_label(param, command)}"
        return f"缺少选项 {param.opts[0]}（须给出{metavar(param, command)}）"
    if "BadParameter" in kinds and param is not None:
        given = _given_value(error)
        shown = f"，而不是“{given}”" if given is not None else ""
        label = _param_label(param, command)
        space = "" if label.endswith("”") else " "  # no space after a closing quote mark
        return f"{label}{space}的值须为{_expected(param, command)}{shown}"
    if "BadArgumentUsage" in kinds:
        return "参数的个数不对"
    if isinstance(command, TyperGroup):
        return "缺少命令"  # a group's only plain usage error: options given, no command after them
    return "命令用法有误"


def _mistake(error: Exception, ctx: Context | None, fallback_path: str) -> UsageMistake | None:
    sentence = usage_sentence(error, ctx)
    if sentence is None:
        return None
    where = getattr(error, "ctx", None) or ctx
    return UsageMistake(sentence, where.command_path if where is not None else fallback_path)


def print_usage_mistake(mistake: UsageMistake) -> None:
    """One line on stderr: what is wrong, and where the help is."""
    from . import ui  # rich: loaded only when there is something to say

    sentence = mistake.message
    end = "" if sentence.endswith("？") else "。"
    ui.console.print(
        f"[bold red]错误：[/]{ui.plain(sentence)}{end}用 {ui.plain(mistake.command_path)} --help 查看用法。",
        soft_wrap=True,
    )


# ---------------------------------------------------------------------------------------------
# The help page


def _first_sentence(text: str) -> str:
    """A command's line in its group's list: the first sentence of its help, never cut short."""
    first = inspect.cleandoc(text).split("\n", 1)[0]
    head, mark, _rest = first.partition("。")
    return head + mark


def _default_text(param: Parameter) -> str | None:
    show = getattr(param, "show_default", False)
    if isinstance(show, str):
        return show or None
    value = param.default
    if not show or not _takes_value(param) or value is None or callable(value):
        return None
    if isinstance(value, list | tuple):
        return "、".join(map(str, value)) or None
    if isinstance(value, enum.Enum):
        value = value.value
    return str(value) or None


def _param_rows(params: Sequence[Parameter], command: Any) -> list[tuple[str, str, str]]:
    """(required mark, names and value word, help with default and 必填) for each shown parameter."""
    rows = []
    for param in params:
        if getattr(param, "hidden", False):
            continue
        word = metavar(param, command) if _takes_value(param) else ""
        if _is_argument(param):
            names = word + ("..." if param.nargs == -1 else "")
        else:
            declared = [*param.opts, *param.secondary_opts]  # long names first: --help's come as a set
            names = ", ".join(sorted(declared, key=lambda n: not n.startswith("--")))
            names += f" {word}" if word else ""
        if getattr(param, "multiple", False):
            names += " ..."
        text = inspect.cleandoc(getattr(param, "help", None) or "")
        if (default := _default_text(param)) is not None:
            text += f" [默认：{default}]"
        if param.required:
            text += " [必填]"
        rows.append(("*" if param.required else "", names, text.strip()))
    return rows


def _usage_line(command: Any, ctx: Context) -> str:
    pieces = [ctx.command_path, "[选项]"]
    for param in command.get_params(ctx):
        if _is_argument(param):
            word = metavar(param, command) + ("..." if param.nargs == -1 else "")
            pieces.append(word if param.required else f"[{word}]")
    if isinstance(command, TyperGroup):
        pieces.append("命令 ...")
    return " ".join(pieces)


def _panel(title: str, rows: Sequence[tuple[str, str, str]]) -> RenderableType:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    marks = any(mark for mark, _names, _text in rows)  # the * column only where something is 必填
    grid = Table.grid(padding=(0, 1), expand=True)
    if marks:
        grid.add_column(no_wrap=True, style="red")
    grid.add_column(no_wrap=True, style="bold cyan")
    grid.add_column(ratio=1, overflow="fold")
    for mark, names, text in rows:
        grid.add_row(*([Text(mark)] if marks else []), Text(names), Text(text))
    return Panel(grid, title=title, title_align="left", border_style="dim", box=box.ROUNDED)


def help_page(command: Any, ctx: Context) -> str:
    """The whole help page, drawn with rich (ANSI colours; click.echo strips them off a terminal)."""
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    out = io.StringIO()
    width = min(shutil.get_terminal_size((80, 24)).columns, HELP_WIDTH_LIMIT)
    console = Console(file=out, width=width, force_terminal=True, color_system="standard", highlight=False)
    usage = Text("用法：", style="yellow")
    usage.append(_usage_line(command, ctx), style="bold")
    console.print(Padding(usage, (1, 1, 1, 1)))
    description = inspect.cleandoc(command.help or "").partition("\f")[0]
    if description:
        text = Text()
        for line in description.splitlines():
            if line.startswith("示例："):
                text.append("示例：", style="bold")
                text.append(line.removeprefix("示例：") + "\n")
            else:
                text.append(line + "\n")
        text.rstrip()  # in place
        console.print(Padding(text, (0, 1, 1, 1)))
    params = command.get_params(ctx)
    arguments = _param_rows([p for p in params if _is_argument(p)], command)
    options = _param_rows([p for p in params if not _is_argument(p)], command)
    if arguments:
        console.print(_panel("参数", arguments))
    if options:
        console.print(_panel("选项", options))
    if isinstance(command, TyperGroup):
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append(("", name, _first_sentence(sub.short_help or sub.help or "")))
        if rows:
            console.print(_panel("命令", rows))
    return out.getvalue().rstrip("\n")


# ---------------------------------------------------------------------------------------------
# The classes


def _chinese_help_option(option: Parameter | None) -> Any:
    if option is not None:
        option.help = HELP_OPTION_TEXT  # type: ignore[attr-defined]  # click's help option has `help`
    return option


class _ChineseFrame:
    """The help page, usage line and help option in Chinese, for a command and a group alike."""

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        """用法：shuangsuiji draw [选项]."""
        formatter.write(_usage_line(self, ctx) + "\n")

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The Chinese help page (a group's commands in the clerk's order)."""
        formatter.write(help_page(self, ctx))

    def get_help_option(self, ctx: Context) -> Any:
        """-h/--help, described in Chinese."""
        return _chinese_help_option(super().get_help_option(ctx))  # type: ignore[misc]


class ChineseCommand(_ChineseFrame, TyperCommand):
    """A command whose help, usage line and usage errors are in Chinese."""

    allow_extra_args = True  # extra arguments are reported by parse_args below, in Chinese

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Click's parsing, with its usage errors and any extra argument said in Chinese."""
        try:
            rest = super().parse_args(ctx, args)
        except Exception as error:
            mistake = _mistake(error, ctx, ctx.command_path)
            if mistake is None:
                raise
            raise mistake from None
        wanted = self.context_settings.get("allow_extra_args")  # a command that asks for them keeps them
        if ctx.args and not ctx.resilient_parsing and not wanted:
            extra = " ".join(ctx.args)
            raise UsageMistake(
                f"多出了参数“{extra}”：这个命令不需要它；值中有空格时，请用引号把整个值括起来",
                ctx.command_path,
            )
        return rest


class ChineseGroup(_ChineseFrame, TyperGroup):
    """A group with the Chinese frame, its commands in the clerk's order and usage errors as one
    Chinese sentence, whether it runs from the console script, `python -m` or a test's CliRunner."""

    def list_commands(self, ctx: Context) -> list[str]:
        """The commands in the order of COMMAND_ORDER (any not listed yet come last)."""

        def place(name: str) -> int:
            # "ledger init" for the ledger group; the root group's commands stand alone ("init")
            for key in (f"{self.name} {name}", name):
                if key in COMMAND_ORDER:
                    return COMMAND_ORDER.index(key)
            return len(COMMAND_ORDER)

        return sorted(super().list_commands(ctx), key=place)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Click's parsing, with its usage errors said in Chinese."""
        try:
            return super().parse_args(ctx, args)
        except Exception as error:
            mistake = _mistake(error, ctx, ctx.command_path)
            if mistake is None:
                raise
            raise mistake from None

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        """The command named first in `args`; an unknown name is reported with the closest names."""
        name = args[0] if args else ""
        unknown = name and not name.startswith("-") and self.get_command(ctx, name) is None
        if unknown and not ctx.resilient_parsing:
            close = get_close_matches(name, self.list_commands(ctx), n=2)
            raise UsageMistake(f"没有 {name} 这个命令" + _suggestion(close), ctx.command_path)
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; a usage error is printed in Chinese and ends with exit code 2."""
        try:
            result = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except UsageMistake as mistake:
            print_usage_mistake(mistake)
            result = 2
        except Exception as error:
            context = getattr(error, "ctx", None)
            late = _mistake(error, context, prog_name or self.name or "")  # "缺少命令" comes after parsing
            if "NoArgsIsHelpError" in _click_kinds(error) and context is not None:
                typer.echo(context.get_help(), color=context.color)  # a bare group: its help page
                result = 2
            elif late is not None:
                print_usage_mistake(late)
                result = 2
            else:
                raise
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


class ChineseTyper(typer.Typer):
    """typer.Typer whose groups and commands get the Chinese frame unless told otherwise."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", ChineseGroup)
        super().__init__(**kwargs)

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        """@app.command(), with ChineseCommand as the default class."""
        return super().command(name, cls=cls or ChineseCommand, **kwargs)
