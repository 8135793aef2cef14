"""What every ``govflow`` command shares: reading arguments and files, who acts or reads,
error handling and exit codes, writing output.

The commands only parse and render: every rule and every query is a use case of
``govflow.workflow.services``; every writer is in ``govflow.presentation``.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer
import yaml

from govflow.workflow.errors import (
    ActionNotAllowed,
    Conflict,
    DamagedHistory,
    GovflowError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    OpenFindings,
)

if TYPE_CHECKING:
    from govflow.workflow.actors import Actor
    from govflow.workflow.identity.principal import Principal
    from govflow.workflow.services import Services

EXIT_CODES: dict[type[GovflowError], int] = {
    DamagedHistory: 1,  # an audit finding
    OpenFindings: 1,  # a report refused on audit findings
    InvalidInput: 2,
    ActionNotAllowed: 3,
    NotAuthenticated: 3,
    NotFound: 4,
    Conflict: 5,
}

AsUser = Annotated[str, typer.Option("--as", help="操作人用户名")]
AsReader = Annotated[
    str,
    typer.Option("--as", help="查看人用户名（只能查看其职责范围内的案件；决定能否看到个人信息）"),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON")]


def fail(message: str, code: int) -> NoReturn:
    from govflow.logs import redact

    typer.echo(f"错误：{redact(message)}", err=True)
    raise typer.Exit(code)


EXIT_INTERNAL = 70
"""An internal error (a bug, not the user's input): reported with a reference to its log line.
Exit code 1 means audit findings and nothing else."""


def exit_code(exc: GovflowError) -> int:
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 2


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except GovflowError as exc:
        fail(str(exc), exit_code(exc))
    except Exception as exc:
        from govflow.app import database_problem

        message = database_problem(exc)
        if message is None:
            raise
        fail(message, 2)


def internal_error(exc: BaseException) -> NoReturn:
    """Log the failure with a reference and tell the person where to find it."""
    import uuid

    import structlog

    reference = uuid.uuid4().hex[:12]
    structlog.get_logger("govflow.cli").error(
        "cli.internal_error", reference=reference, error=type(exc).__name__, exc_info=exc
    )
    typer.echo(f"错误：内部错误（参考编号 {reference}，详见日志）", err=True)
    raise SystemExit(EXIT_INTERNAL)


def build_services() -> Services:
    """The services of this process, from the environment (``govflow.app``)."""
    from govflow.app import build_services as build

    return build()


def clock_note(svc: Services) -> str | None:
    """The header line of what a person reads while ``GOVFLOW_NOW`` pins the clock (demo and
    test installations only): every "time left" below is reckoned from that instant."""
    from govflow.workflow.clock import PinnedClock, local_minute

    if not isinstance(svc.clock, PinnedClock):
        return None
    return (
        f"【演示/测试时钟】当前时间固定为 {local_minute(svc.clock.now())}（北京时间，GOVFLOW_NOW）"
    )


def person(svc: Services, username: str) -> Actor:
    """Who ``--as`` names (``system`` for the system), reading through ``cli:<OS user>``;
    the account must be active."""
    from govflow.workflow.identity.principal import cli_channel
    from govflow.workflow.services import identify

    return identify(svc, username, cli_channel(os_user()))


def echo_json(value: Any) -> None:
    from govflow.presentation.text import to_json

    typer.echo(to_json(value))


def echo_lines(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


def write_or_print(
    body: bytes, output: Path | None, force: bool = False, note: str = "已写入：{output}"
) -> None:
    """``body`` on stdout, or into ``output`` (never over an existing file without ``force``,
    never through a link: ``presentation.files``) with a note on stdout."""
    from govflow.presentation.files import write_output as write

    if output is None:
        typer.echo(body.decode("utf-8"), nl=False)
        return
    write(output, body, force)
    typer.echo(note.format(output=output))


def read_input(path: Path) -> bytes:
    """A file the command was given (``-``: standard input); unreadable → one 错误 line
    saying why in Chinese (不存在, 是目录, 无权读取)."""
    from govflow.workflow.validation import file_problem

    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: 无法读取：{file_problem(exc)}") from None


def read_data_file(path: Path) -> dict[str, Any]:
    """A YAML or JSON file, or ``-`` for standard input: UTF-8 text holding a mapping."""
    from govflow.workflow.validation import load_yaml, yaml_problem

    raw = read_input(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{path}: 不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节处）；请另存为 UTF-8 后重试"
        ) from None
    try:
        data = load_yaml(text) or {}  # a field given twice is refused, naming its line
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: {yaml_problem(exc)}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: 应为键值映射（字段: 值），实为{kind_of(data)}")
    return data


def kind_of(value: Any) -> str:
    """What a value read from a file is, in Chinese (for "should be a mapping" messages)."""
    names = {str: "文本", int: "数字", float: "数字", bool: "是/否", list: "列表", dict: "键值映射"}
    return names.get(type(value), type(value).__name__)


def parse_sets(pairs: list[str]) -> dict[str, Any]:
    """``--set field=value`` options. A field given twice is refused rather than the later
    value silently winning: an operator who typed both meant one of them."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--set 应为 字段=值，实为 {pair!r}")
        field = key.strip()
        if field in data:
            raise InvalidInput(
                f"--set 给了字段 {field} 两次（{data[field]!r} 与 {value!r}）；每个字段只能给一次"
            )
        data[field] = value
    return data


def file_and_sets(file: Path | None, pairs: list[str] | None) -> dict[str, Any]:
    """An action's input from ``--file`` and ``--set`` together. A field given in both is
    refused rather than ``--set`` silently replacing the file's value (nothing documents an
    override, and an operator who wrote both meant one of them); a dotted ``--set``
    (``applicant.name``) meets the file's nested key of the same path."""
    payload = read_data_file(file) if file else {}
    sets = parse_sets(pairs or [])
    given_once(payload, dict.fromkeys(sets, "--set"))
    payload.update(sets)
    return payload


def file_and_options(
    data: dict[str, Any], options: Mapping[str, tuple[str, Any]], case_type: str
) -> dict[str, Any]:
    """A registration's input from ``--file`` (``data``, read) and named options: ``options``
    maps a field's path (``applicant.name``) to its option and value (``("--name", "张三")``,
    None when not given). A field in both is refused as ``file_and_sets`` refuses it, naming
    the field by its Chinese name in ``case_type``'s registration."""
    given = {path: option for path, (option, value) in options.items() if value is not None}
    given_once(data, given, case_type)
    for path, (_, value) in options.items():
        if value is not None:
            *heads, last = path.split(".")
            inner = data
            for head in heads:  # the caller checked that a group the file gives is a mapping
                inner = inner.setdefault(head, {})
            inner[last] = value
    return data


def given_once(
    data: Mapping[str, Any], given: Mapping[str, str], case_type: str | None = None
) -> None:
    """Refuse a field the file gave that an option gives too (``given``: path → option)."""
    for field, option in given.items():
        if _given(data, field):
            label = creation_labels(case_type).get(field) if case_type else None
            what = f"{label}（{field}）" if label else f"字段 {field} "
            raise InvalidInput(f"{what}在 --file 与 {option} 中都给了；每个字段只能给一次")


def creation_labels(case_type: str) -> dict[str, str]:
    """The Chinese names of the fields that open a case of ``case_type``, by path; from the
    declarations alone (no database: the input is refused before anything is opened)."""
    from govflow.app import load_config
    from govflow.workflow import services

    (info,) = services.actions(load_config(), case_type)
    create = next(action for action in info.actions if action.creates)
    return {field.name: field.label for field in create.fields}


def _given(data: dict[str, Any], field: str) -> bool:
    if field in data:
        return True
    head, dot, rest = field.partition(".")
    inner = data.get(head) if dot else None
    return isinstance(inner, dict) and _given(inner, rest)


def parse_date(option: str, text: str | None) -> date | None:
    """A Beijing calendar date as typed (``2025-09-30``); anything else is bad input."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{option} 不是有效日期：{text!r}（应为 YYYY-MM-DD，如 2025-09-30）"
        ) from None


def check_choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        listed = "、".join(choices[:-1]) + f" 或 {choices[-1]}" if len(choices) > 1 else choices[0]
        raise InvalidInput(f"{option} 应为 {listed}，实为 {value!r}")


# -- what reaches a terminal ---------------------------------------------------------------------

_CONTROLS = {
    **{c: f"\\u{c:04x}" for c in range(0x20) if chr(c) not in "\t\n\r"},
    0x7F: "\\u007f",
    **{c: f"\\u{c:04x}" for c in range(0x80, 0xA0)},
    # Bidirectional overrides and isolates reorder what a reader sees ("Trojan source").
    **{c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}
_LONE_CR = re.compile(r"(?<!^)\r(?!\n)")


def visible(text: str) -> str:
    """Control characters as visible escapes (``\\u001b``): text stored in a case (a
    description, a name) can carry a terminal escape sequence, which must reach a clerk's
    terminal as text, never as a command. A lone carriage return is escaped too, except at
    the start of a write (the progress line on a terminal rewrites itself that way); in JSON
    output the same escapes stay valid JSON."""
    return _LONE_CR.sub("\\\\u000d", text.translate(_CONTROLS))


class VisibleControls(io.TextIOBase):
    """A standard stream for people: everything written goes through ``visible``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.stream.errors

    def write(self, text: str) -> int:
        self.stream.write(visible(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


def guard_standard_streams() -> None:
    if not isinstance(sys.stdout, VisibleControls):
        sys.stdout = VisibleControls(sys.stdout)
    if not isinstance(sys.stderr, VisibleControls):
        sys.stderr = VisibleControls(sys.stderr)


def check_arguments(argv: list[str]) -> None:
    """Every command-line argument is UTF-8 text (Python hands on other bytes as surrogates,
    which fail later, deep inside, with ``surrogates not allowed``)."""
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            after = f"（{argv[position - 2]} 的值）" if position > 1 else ""
            fail(f"第 {position} 个命令行参数{after}不是有效的 UTF-8 文本：{raw!r}", 2)


def os_user() -> str:
    """The operating-system user running the command: the CLI's events say ``cli:<this>``."""
    from govflow.app import os_user as current

    return current()


def cli_principal(svc: Services, username: str) -> Principal:
    """``--as USER``: the command line is an operator's tool for whoever holds the database
    credentials, so the named user acts (if active) through the channel ``cli:<OS user>``."""
    from govflow.workflow.identity.principal import cli_channel
    from govflow.workflow.services import principal_for

    return principal_for(svc, username, cli_channel(os_user()))


def operator() -> Actor:
    """The system as run by whoever runs this command: what an organisation-file import
    records in the security log (``cli:<OS user>``)."""
    from dataclasses import replace

    from govflow.workflow.actors import SYSTEM
    from govflow.workflow.identity.principal import cli_channel

    return replace(SYSTEM, channel=cli_channel(os_user()))


def announce_admin(svc: Services) -> None:
    """First start: create the administrator and show its one-time password, once."""
    from govflow.workflow.services import bootstrap_admin

    created = bootstrap_admin(svc)
    if created is not None:
        username, password = created
        typer.echo(
            f"已创建系统管理员 {username}，一次性密码：{password}\n"
            "（仅显示这一次，请妥善保管；首次登录后必须修改。）"
        )
