"""``govflow user …``: accounts (SPEC U-1); API tokens are ``govflow.cli.tokens``.

Parse, call one use case of ``govflow.workflow.identity``, render. ``--as`` names the
administrator (or, for the lists and logs, a supervisor) as for every other command;
the security log records that user and the channel ``cli:<OS user>``. A password is
never an argument (it would stay in the shell history and the process list): it is
typed at a hidden prompt, read from standard input, or generated and shown once.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from govflow.cli.common import (
    AsUser,
    JsonFlag,
    cli_principal,
    echo_json,
    user_errors,
)
from govflow.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from govflow.workflow.identity.ports import Account
    from govflow.workflow.services import DirectoryNames, Services

user_app = typer.Typer(
    help="用户账户：新增、设置密码、锁定、停用、列出、登录日志。", no_args_is_help=True
)

Reason = Annotated[str | None, typer.Option(help="原因（记入安全日志）")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行）")]


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


def _services() -> Services:
    from govflow.cli.common import build_services

    return build_services()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = typer.get_text_stream("stdin").readline().rstrip("\r\n")
        if not line:
            raise InvalidInput("标准输入中没有密码")
        return line
    # Without a terminal the hidden prompt cannot hide (getpass warns in English, echoes,
    # and an empty stdin ends in "Aborted!" with exit 1, the code of audit findings).
    if not sys.stdin or not sys.stdin.isatty():
        raise InvalidInput(
            "标准输入不是终端：密码须在终端中输入，或用 --password-stdin 从标准输入读取"
        )
    return typer.prompt("新密码", hide_input=True, confirmation_prompt="再次输入新密码")


def _show_password(username: str, password: str | None, as_json: bool) -> None:
    if as_json:
        echo_json({"username": username, "one_time_password": password})
    elif password is not None:
        typer.echo(f"一次性密码：{password}\n（仅显示这一次；用户首次登录后必须修改。）")


def _roles_text(account: Account) -> str:
    from govflow.workflow.actors import ROLE_LABELS

    return "、".join(ROLE_LABELS[r] for r in account.roles)


def _agency(names: DirectoryNames, code: str | None) -> str:
    """An account's agency by name, with the code ``--agency`` takes beside it."""
    return f"{names.agency(code)}（{code}）" if code else "—"


@user_app.command("add")
def add(
    username: str,
    as_user: AsUser,
    name: Annotated[str, typer.Option(help="姓名")],
    role: Annotated[
        list[str],
        typer.Option(help="角色（可重复）：clerk / handler / office_head / supervisor / admin"),
    ],
    agency: Annotated[str | None, typer.Option(help="所属机关代码（系统管理员可不填）")] = None,
    email: Annotated[str | None, typer.Option(help="电子邮箱（接收提醒）")] = None,
    oidc_subject: Annotated[str | None, typer.Option(help="统一身份认证中的用户标识")] = None,
    service: Annotated[
        bool, typer.Option("--service", help="服务账户：只通过 API 令牌访问")
    ] = False,
    password_stdin: PasswordStdin = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="不设密码（仅用统一身份认证登录）")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """新增用户；默认生成一次性密码（只显示一次，首次登录后必须修改）。"""
    from govflow.workflow.actors import ROLE_LABELS, Role
    from govflow.workflow.identity.ports import AccountKind
    from govflow.workflow.services import NewAccount, add_user

    with user_errors():
        unknown = [r for r in role if r not in {x.value for x in Role}]
        if unknown:
            offered = (r for r in Role if r is not Role.SYSTEM)  # the system's own is reserved
            choices = "、".join(f"{r.value}（{ROLE_LABELS[r]}）" for r in offered)
            raise InvalidInput(f"未知角色：{'、'.join(unknown)}；可选：{choices}")
        roles = tuple(Role(r) for r in role)
        svc = _services()
        by = cli_principal(svc, as_user)
        password = _password(True) if password_stdin else None
        kind = AccountKind.SERVICE if service else AccountKind.PERSON
        new = NewAccount(username, name, roles, agency, email, kind, oidc_subject)
        generate = not (service or no_password or password_stdin)
        shown = add_user(svc, by, new, password, generate=generate)
        if not as_json:
            labels = "、".join(ROLE_LABELS[r] for r in roles)
            typer.echo(f"已新增用户 {username}（{name}，{labels}）。")
        _show_password(username, shown, as_json)


@user_app.command("set-password")
def set_password_cmd(
    username: str,
    as_user: AsUser,
    password_stdin: PasswordStdin = False,
    generate: Annotated[bool, typer.Option("--generate", help="生成随机密码并显示一次")] = False,
    permanent: Annotated[
        bool, typer.Option("--permanent", help="不要求用户下次登录时修改")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """设置用户密码（默认为临时密码，下次登录须修改）；该用户的所有登录随即失效。"""
    from govflow.workflow.services import set_password

    with user_errors():
        svc = _services()
        by = cli_principal(svc, as_user)
        password = None if generate else _password(password_stdin)
        shown = set_password(svc, by, username, password, temporary=not permanent)
        if not as_json:
            typer.echo(f"已设置 {username} 的密码；其所有登录已失效。")
        _show_password(username, shown, as_json)


def _status_command(name: str, help_text: str, done: str) -> None:
    def command(
        username: str, as_user: AsUser, reason: Reason = None, as_json: JsonFlag = False
    ) -> None:
        from govflow.workflow import services

        with user_errors():
            svc = _services()
            by = cli_principal(svc, as_user)
            # Read before the change: whoever deactivates their own account can no
            # longer read afterwards, and a name does not change with the status.
            names = None if as_json else services.directory_names(svc, by, [username])
            use_case = getattr(services, f"{name}_user")  # lock_user, unlock_user, …
            ended = use_case(svc, by, username, reason)
            if as_json:
                echo_json({"username": username, "done": name, "sessions_ended": ended or 0})
                return
            extra = f"，{ended} 个登录已失效" if ended else ""
            typer.echo(f"{done}：{names.person(username) if names else username}{extra}。")

    command.__doc__ = help_text
    user_app.command(name)(command)


_status_command("lock", "锁定账户（直至解锁）；其登录随即失效。", "已锁定")
_status_command("unlock", "解锁账户（含连续登录失败造成的暂时锁定）。", "已解锁")
_status_command("deactivate", "停用离职人员的账户；其历史记录中的姓名保留。", "已停用")
_status_command("activate", "恢复已停用的账户。", "已恢复")


@user_app.command("list")
def list_users_cmd(
    as_user: AsUser,
    agency: Annotated[str | None, typer.Option(help="机关代码")] = None,
    include_children: Annotated[bool, typer.Option(help="包含下级机关")] = False,
    all_: Annotated[bool, typer.Option("--all", help="包括已停用的账户")] = False,
    as_json: JsonFlag = False,
) -> None:
    """列出用户（系统管理员：全部；督查：本机关及下级机关）。"""
    from govflow.workflow.actors import STATUS_LABELS
    from govflow.workflow.services import directory_names, list_users

    with user_errors():
        svc = _services()
        found = list_users(
            svc,
            cli_principal(svc, as_user),
            agency,
            include_children=include_children,
            include_inactive=all_,
        )
        now = svc.clock.now()
        if as_json:
            echo_json([_account_json(a, now) for a in found])
            return
        names = directory_names(svc, cli_principal(svc, as_user))
        for a in found:
            status = STATUS_LABELS[a.status]
            if a.locked_until is not None and a.locked_until > now:
                status += "（登录失败暂时锁定）"
            typer.echo(
                f"{a.username}　{a.name}　{_roles_text(a)}　{_agency(names, a.agency_code)}　{status}"
                + ("　服务账户" if a.kind.value == "service" else "")
                + ("　须修改密码" if a.must_change_password else "")
            )
        typer.echo(f"共 {len(found)} 个账户。")


def _account_json(a: Account, now: datetime) -> dict[str, object]:
    return {
        "username": a.username,
        "name": a.name,
        "roles": [r.value for r in a.roles],
        "agency": a.agency_code,
        "email": a.email,
        "kind": a.kind.value,
        "status": a.status.value,
        "locked_out_until": a.locked_until.isoformat()
        if a.locked_until and a.locked_until > now
        else None,
        "must_change_password": a.must_change_password,
        "has_password": a.password_hash is not None,
        "oidc_subject": a.oidc_subject,
        "managed_by_org": a.managed_by_org,
    }


Since = Annotated[str | None, typer.Option(help="起始时间（ISO 8601，北京时间）")]
Limit = Annotated[int, typer.Option(help="最多显示条数")]


def _since(text: str | None) -> datetime | None:
    from govflow.workflow.clock import parse_instant

    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise InvalidInput(f"--since 不是有效时间：{text!r}") from None


@user_app.command("login-log")
def login_log_cmd(
    as_user: AsUser,
    agency: Annotated[str | None, typer.Option(help="机关代码（含下级机关）")] = None,
    since: Since = None,
    limit: Limit = 200,
    as_json: JsonFlag = False,
) -> None:
    """登录日志（系统管理员：全部；督查：本机关及下级机关的账户）。"""
    from govflow.presentation.text import local_second
    from govflow.workflow.services import login_log_lines

    with user_errors():
        svc = _services()
        by = cli_principal(svc, as_user)
        rows = login_log_lines(svc, by, agency, since=_since(since), limit=limit)
        if as_json:
            echo_json([{**r.attempt.__dict__, "at": r.attempt.at.isoformat()} for r in rows])
            return
        for r in rows:
            where = f"　来自 {r.attempt.remote_addr}" if r.attempt.remote_addr else ""
            typer.echo(f"{local_second(r.attempt.at)}　{r.who}　{r.outcome}　{r.method}{where}")
        typer.echo(f"共 {len(rows)} 条。")


@user_app.command("security-log")
def security_log_cmd(
    as_user: AsUser,
    agency: Annotated[str | None, typer.Option(help="机关代码（含下级机关）")] = None,
    since: Since = None,
    limit: Limit = 200,
    as_json: JsonFlag = False,
) -> None:
    """安全日志：账户、密码、登录会话与令牌的每一次变更（谁、何时、经由何处、对谁）。"""
    from govflow.presentation.text import local_second
    from govflow.workflow.services import security_log_lines

    with user_errors():
        svc = _services()
        by = cli_principal(svc, as_user)
        rows = security_log_lines(svc, by, agency, since=_since(since), limit=limit)
        if as_json:
            echo_json([{**r.entry.__dict__, "at": r.entry.at.isoformat()} for r in rows])
            return
        for r in rows:
            e = r.entry
            detail = "，".join(f"{k}={v}" for k, v in e.detail.items() if v is not None)
            typer.echo(
                f"{local_second(e.at)}　{r.actor}，经由 {e.channel}　{r.action}　{r.target}"
                + (f"　{detail}" if detail else "")
            )
        typer.echo(f"共 {len(rows)} 条。")
