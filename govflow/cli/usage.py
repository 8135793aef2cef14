"""Mistakes on the command line itself, said in Chinese.

Typer parses the command line with its own copy of click, which reports a missing option,
an unknown option or command, a value of the wrong type, or an argument too many in English
(``Error: Missing option '--as'``), after a usage line. ``run`` calls the application with
``standalone_mode=False``, so those errors reach us as exceptions (``UsageError`` and its
subclasses ``MissingParameter``, ``NoSuchOption``, ``BadParameter``, ``BadOptionUsage`` …)
instead of being printed, and prints one ``错误：…`` line and where to find the usage:

    错误：缺少选项 --as。
    查看用法：govflow case act --help

with click's usage exit code, 2. A single-valued option given twice, which click would take
the last of silently, is refused the same way before anything runs.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Sequence
from typing import Any

import typer
import typer.main

try:  # Typer 0.2x parses with its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older Typer parses with click itself
    from click import exceptions as click_errors  # type: ignore[no-redef]

USAGE_EXIT = 2
"""click's exit code for a usage error, which is also the CLI's code for bad input."""

PROG = "govflow"


class RepeatedOption(click_errors.UsageError):
    """A single-valued option given more than once."""

    def __init__(self, option: str, times: int, ctx: Any) -> None:
        super().__init__(f"{option} given {times} times", ctx)
        self.option = option
        self.times = times


def run(app: typer.Typer, argv: Sequence[str]) -> int:
    """Run the command line ``argv``; the exit code (usage errors printed in Chinese)."""
    command = typer.main.get_command(app)
    try:
        refuse_repeated_options(command, argv)
        result = command.main(args=list(argv), prog_name=PROG, standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:  # a group named alone: its help, as before
        exc.show()
        return USAGE_EXIT
    except click_errors.UsageError as exc:
        if exc.ctx is None:  # the parser raises some without one: the command named in argv
            exc.ctx = _context(command, argv)[0]
        for line in usage_lines(exc):
            typer.echo(line, err=True)
        return USAGE_EXIT
    except typer.Abort:
        typer.echo("错误：已中止。", err=True)
        return 1
    # Out of standalone mode click returns the code of an ``Exit`` a command raised (our
    # ``fail``), or the command's own return value: every command returns None.
    return result if isinstance(result, int) else 0


def usage_lines(exc: Any) -> list[str]:
    """A usage error as it is shown: the mistake, then where the usage is."""
    lines = [f"错误：{_what(exc)}。"]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        lines.append(f"查看用法：{ctx.command_path} --help")
    return lines


def _what(exc: Any) -> str:
    """The mistake in Chinese, from the exception's kind and the parameter it names."""
    if isinstance(exc, RepeatedOption):
        return f"选项 {exc.option} 给了 {exc.times} 次，只能给一次"
    if isinstance(exc, click_errors.MissingParameter):
        kind = (
            "参数" if exc.param is not None and exc.param.param_type_name == "argument" else "选项"
        )
        return f"缺少{kind} {_name(exc.param, exc.param_hint)}"
    if isinstance(exc, click_errors.BadParameter):
        return _bad_value(exc)
    if isinstance(exc, click_errors.NoSuchOption):
        return f"没有选项 {exc.option_name}{_did_you_mean(exc.possibilities)}"
    if isinstance(exc, click_errors.BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"选项 {exc.option_name} 不带值"
        return f"选项 {exc.option_name} 缺少值"
    return _plain_usage(exc)


def _name(param: Any, hint: Any = None) -> str:
    """An option by its longest name (``--as``), an argument by the name its usage shows."""
    if hint is not None:
        return hint if isinstance(hint, str) else " / ".join(hint)
    if param is None:
        return "（未知）"
    if param.param_type_name == "option" and param.opts:
        return max(param.opts, key=len)
    return str(getattr(param, "display_name_raw", None) or param.name)


_PATH_PROBLEMS = (
    (r"does not exist", "不存在"),
    (r"is a directory", "是目录，不是文件"),
    (r"is a file", "是文件，不是目录"),
    (r"is not readable", "无权读取"),
    (r"is not writable", "无权写入"),
)


def _bad_value(exc: Any) -> str:
    """A value the option's type refuses: Typer checks it with pydantic, whose error (the
    exception's cause) the shared translation (``workflow.validation``) puts in Chinese."""
    from pydantic import ValidationError

    from govflow.workflow.validation import zh_errors

    name = _name(exc.param, exc.param_hint)
    cause = exc.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        first = cause.errors()[0]
        (_, problem), *_ = zh_errors([first])
        given = first.get("input")
        shown = f' "{given}" ' if isinstance(given, str | int | float) else ""
        return f"{name} 的值{shown}{problem}"
    if isinstance(cause, OSError):
        from govflow.workflow.validation import file_problem

        return f"{name} 的文件 {cause.filename} 无法读取：{file_problem(cause)}"
    for pattern, words in _PATH_PROBLEMS:
        if re.search(pattern, exc.message):
            quoted = re.search(r"'(.*)'", exc.message)
            return f"{name} 的路径 {quoted.group(1) if quoted else ''} {words}".replace("  ", " ")
    return f"{name} 的值无效"


_NO_SUCH_COMMAND = re.compile(r"^No such command (?P<name>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
_EXTRA_ARGUMENTS = re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)$")


def _plain_usage(exc: Any) -> str:
    """A plain ``UsageError`` (``ctx.fail``): click says which by its message alone."""
    message = str(exc.message)
    if found := _NO_SUCH_COMMAND.match(message):
        name = ast.literal_eval(found["name"])
        commands = list(getattr(getattr(exc.ctx, "command", None), "commands", {}) or {})
        close = difflib.get_close_matches(name, commands)
        return f'没有命令 "{name}"{_did_you_mean(close)}'
    if found := _EXTRA_ARGUMENTS.match(message):
        return f"多余的参数：{found['args']}"
    if message.startswith("Argument ") and "takes" in message:
        return "参数个数不对"
    return f"命令行用法有误（{message}）"  # a message this Typer version added: shown as is


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    if not possibilities:
        return ""
    return f"（是否想用：{'、'.join(sorted(possibilities))}）"


# -- an option given twice -----------------------------------------------------------------------


def refuse_repeated_options(root: Any, argv: Sequence[str]) -> None:
    """Raise ``RepeatedOption`` when the command ``argv`` names gets a single-valued option
    more than once (``--as wang.clerk … --as li.handler``): click keeps the last silently,
    and acting as someone else than meant is not a mistake to let pass. The command is found
    and its options read by click's own parser; anything the parser refuses is left for the
    real run to report."""
    ctx, args = _context(root, argv)
    if hasattr(ctx.command, "commands"):  # a group and no command under it: nothing to read
        return
    try:
        _, _, order = ctx.command.make_parser(ctx).parse_args(args=args)
    except click_errors.UsageError:
        return
    seen: dict[str, int] = {}
    for param in order:
        if _single_valued(param):
            seen[param.name] = seen.get(param.name, 0) + 1
    for param in order:
        if seen.get(param.name, 0) > 1:
            raise RepeatedOption(_name(param), seen[param.name], ctx)


def _context(root: Any, argv: Sequence[str]) -> tuple[Any, list[str]]:
    """The (unparsed) context of the command ``argv`` names, the subcommand of a group being
    the word after it, and the arguments left for that command."""
    ctx = typer.Context(root, info_name=PROG, resilient_parsing=True)
    args = list(argv)
    while hasattr(ctx.command, "commands") and args and not args[0].startswith("-"):
        sub = ctx.command.commands.get(args[0])
        if sub is None:
            break
        ctx = typer.Context(sub, info_name=args[0], parent=ctx, resilient_parsing=True)
        args = args[1:]
    return ctx, args


def _single_valued(param: Any) -> bool:
    return (
        param.param_type_name == "option"
        and not param.multiple
        and not getattr(param, "is_flag", False)
        and not getattr(param, "count", False)
        and param.nargs == 1
    )
