"""``govflow agency add | list``: the agencies (机关) of the installation, for administrators.

The same use cases as the ``/admin/agencies`` page and ``POST /api/v1/agencies``
(``govflow.workflow.services``: ``add_agency``, ``agency_tree``): an administrator adds an
agency under an existing one (or at the top), checked as the organisation file's are, in
the security log as ``agency_added``. Parse and render only.
"""

from __future__ import annotations

from typing import Annotated

import typer

from govflow.cli.common import (
    AsUser,
    JsonFlag,
    build_services,
    cli_principal,
    echo_json,
    user_errors,
)

agency_app = typer.Typer(help="机关：新增、列出（系统管理员）。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(agency_app, name="agency")


@agency_app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="机关代码：小写字母、数字、_ 和 -，如 town")],
    name: Annotated[str, typer.Argument(help="机关名称，如 示范镇人民政府")],
    as_user: AsUser,
    ref_prefix: Annotated[
        str, typer.Option("--ref-prefix", help="文号前缀（本机关案件编号的开头，如 示镇）")
    ],
    parent: Annotated[
        str | None, typer.Option("--parent", help="上级机关代码；不填：顶级机关")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """新增机关（系统管理员）；记入安全日志。"""
    from govflow.workflow.services import NewAgency, add_agency, directory_names

    with user_errors():
        svc = build_services()
        by = cli_principal(svc, as_user)
        added = add_agency(svc, by, NewAgency(code, name, ref_prefix, parent))
        if as_json:
            echo_json(
                {
                    "code": added.code,
                    "name": added.name,
                    "ref_prefix": added.ref_prefix,
                    "parent": added.parent,
                }
            )
            return
        under = "，顶级机关"
        if added.parent:
            parent = directory_names(svc, by).agency(added.parent)
            under = f"，上级机关 {parent}（{added.parent}）"
        typer.echo(f"已新增机关 {added.name}（{added.code}，文号前缀 {added.ref_prefix}{under}）。")


@agency_app.command("list")
def list_agencies(as_user: AsUser, as_json: JsonFlag = False) -> None:
    """列出机关（系统管理员）：树形，各机关下列其下级，附在用账户数。"""
    from govflow.workflow.services import agency_tree

    with user_errors():
        svc = build_services()
        nodes = agency_tree(svc, cli_principal(svc, as_user))
        if as_json:
            echo_json(
                [
                    {
                        "code": n.code,
                        "name": n.name,
                        "ref_prefix": n.ref_prefix,
                        "depth": n.depth,
                        "users": n.users,
                    }
                    for n in nodes
                ]
            )
            return
        for n in nodes:
            typer.echo(
                f"{'  ' * n.depth}{n.code}  {n.name}  文号前缀 {n.ref_prefix}  账户 {n.users}"
            )
