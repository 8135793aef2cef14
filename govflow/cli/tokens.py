"""``govflow token create | list | revoke``: API tokens for integrations (SPEC U-1).

Parse, call one use case of ``govflow.workflow.services``, render: a token is shown once,
when created; the lists name its account and its agency (the codes ``--user`` and
``--agency`` take stay beside the names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from govflow.cli.common import (
    AsUser,
    JsonFlag,
    build_services,
    cli_principal,
    echo_json,
    user_errors,
)

if TYPE_CHECKING:
    from govflow.workflow.identity.ports import TokenRecord
    from govflow.workflow.services import DirectoryNames

PERSONAL_DATA = "可读取申请人身份与联系信息"
PERSONAL_DATA_MASKED = "申请人身份与联系信息遮蔽"

token_app = typer.Typer(help="API 令牌：为集成系统创建、列出、吊销。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")


@token_app.command("create")
def create_token_cmd(
    name: str,
    as_user: AsUser,
    user: Annotated[str, typer.Option(help="令牌代表的用户或服务账户")],
    action: Annotated[
        list[str] | None, typer.Option(help="允许的动作（可重复；不填为该账户可执行的全部动作）")
    ] = None,
    agency: Annotated[str | None, typer.Option(help="机关代码（默认为该账户所属机关）")] = None,
    include_children: Annotated[bool, typer.Option(help="包含下级机关（仅只读令牌）")] = False,
    read_only: Annotated[bool, typer.Option("--read-only", help="只读令牌")] = False,
    personal_data: Annotated[
        bool,
        typer.Option(
            "--personal-data",
            help="可读取申请人身份与联系信息（不加则一律遮蔽显示，且不能下载文书）",
        ),
    ] = False,
    days: Annotated[int | None, typer.Option(help="有效天数")] = None,
    as_json: JsonFlag = False,
) -> None:
    """创建 API 令牌：令牌只显示这一次，系统只保存其摘要。"""
    from govflow.presentation.text import local_second
    from govflow.workflow.services import TokenRequest, create_token, directory_names

    with user_errors():
        svc = build_services()
        by = cli_principal(svc, as_user)
        request = TokenRequest(
            name=name,
            username=user,
            actions=frozenset(action) if action else None,
            agency=agency,
            include_children=include_children,
            read_only=read_only,
            personal_data=personal_data,
            days=days,
        )
        issued = create_token(svc, by, request)
        if as_json:
            echo_json({**_token_json(issued.record), "token": issued.token})
            return
        names = directory_names(svc, by, [user])
        typer.echo(
            f"已创建令牌 {name}（代表 {names.person(user)}，{_scope_text(issued.record, names)}，"
            f"有效至 {local_second(issued.record.expires_at)}）。\n"
            f"令牌：{issued.token}\n（仅显示这一次；请求时放在 Authorization: Bearer 头中。）"
        )


def _scope_text(t: TokenRecord, names: DirectoryNames) -> str:
    """Its agency by name, with the code ``--agency`` takes; its actions by their codes, as
    ``--action`` takes them; whether it reads applicants' data (``--personal-data``)."""
    scope = t.scope
    reach = f"{names.agency(scope.agency)}（{scope.agency}）"
    reach += "及下级机关" if scope.include_children else ""
    personal = PERSONAL_DATA if scope.personal_data else PERSONAL_DATA_MASKED
    if scope.read_only:
        return f"只读，{reach}，{personal}"
    actions = "全部动作" if scope.actions is None else "、".join(sorted(scope.actions))
    return f"{reach}，{actions}，{personal}"


def _token_json(t: TokenRecord) -> dict[str, object]:
    return {
        "name": t.name,
        "user": t.username,
        "prefix": t.prefix,
        "scope": t.scope.to_json(),
        "created_at": t.created_at.isoformat(),
        "created_by": t.created_by,
        "expires_at": t.expires_at.isoformat(),
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "applies": t.applies,
    }


@token_app.command("list")
def list_tokens_cmd(
    as_user: AsUser,
    all_: Annotated[bool, typer.Option("--all", help="包括已吊销和已过期的令牌")] = False,
    as_json: JsonFlag = False,
) -> None:
    """列出 API 令牌（不含令牌本身：系统并不保存它）。"""
    from govflow.presentation.text import local_second
    from govflow.workflow.identity.principal import NO_LONGER_APPLIES
    from govflow.workflow.services import directory_names, list_tokens

    with user_errors():
        svc = build_services()
        by = cli_principal(svc, as_user)
        tokens = list_tokens(svc, by, include_inactive=all_)
        if as_json:
            echo_json([_token_json(t) for t in tokens])
            return
        now = svc.clock.now()
        names = directory_names(svc, by, {t.username for t in tokens})
        for t in tokens:
            state = "已吊销" if t.revoked_at else "已过期" if t.expires_at <= now else "有效"
            if state == "有效" and not t.applies:
                state = NO_LONGER_APPLIES
            used = local_second(t.last_used_at) if t.last_used_at else "从未使用"
            typer.echo(
                f"{t.name}　{t.prefix}…　{names.person(t.username)}　{_scope_text(t, names)}　{state}"
                f"　有效至 {local_second(t.expires_at)}　最近使用 {used}"
            )
        typer.echo(f"共 {len(tokens)} 个令牌。")


@token_app.command()  # named after the function: the word is also a case type's action
def revoke(name: str, as_user: AsUser, as_json: JsonFlag = False) -> None:
    """吊销 API 令牌，立即生效。"""
    from govflow.workflow.services import revoke_token

    with user_errors():
        svc = build_services()
        revoke_token(svc, cli_principal(svc, as_user), name)
        if as_json:
            echo_json({"token": name, "revoked": True})
            return
        typer.echo(f"已吊销令牌 {name}。")
