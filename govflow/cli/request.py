"""``govflow request register``: the disclosure request's own command — register a request
with named options or from a file (SPEC D-1, D-2). Acting on it and showing it are the
generic ``govflow case act`` and ``govflow case show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govflow.cli.common import (
    AsUser,
    JsonFlag,
    build_services,
    cli_principal,
    echo_json,
    file_and_options,
    kind_of,
    parse_date,
    read_data_file,
    user_errors,
)
from govflow.workflow.errors import InvalidInput

CASE_TYPE = "disclosure_request"

request_app = typer.Typer(help="依申请公开：登记申请。", no_args_is_help=True)


@request_app.command("register")
def register(
    as_user: AsUser,
    file: Annotated[Path | None, typer.Option(help="申请内容 YAML/JSON 文件，- 为标准输入")] = None,
    channel: Annotated[
        str | None, typer.Option(help="in_person / registered_post / letter / online / email / fax")
    ] = None,
    applicant_kind: Annotated[
        str | None, typer.Option(help="natural_person / legal_person")
    ] = None,
    applicant_subkind: Annotated[
        str | None,
        typer.Option(help="commercial / research / public_interest / legal_services / other"),
    ] = None,
    name: Annotated[str | None, typer.Option(help="申请人姓名或名称")] = None,
    id_number: Annotated[str | None, typer.Option(help="身份证件号码或统一社会信用代码")] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    address: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option(help="所需信息的名称、文号或描述")] = None,
    received_on: Annotated[
        str | None, typer.Option(help="申请送达日，邮寄需签收的为签收日（默认今天）")
    ] = None,
    receipt_date: Annotated[str | None, typer.Option(help="收到申请之日（已确认时填写）")] = None,
    on_the_spot: Annotated[
        str | None,
        typer.Option(help="当场答复的答复类型代码（只限无须作出决定的情形，如 disclosed）"),
    ] = None,
    summary: Annotated[str | None, typer.Option(help="当场答复的内容摘要")] = None,
    where: Annotated[
        str | None, typer.Option(help="当场答复已公开信息时，写明公开途径（网站栏目、文号）")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """登记一件政府信息公开申请。"""
    from govflow.presentation.cases import case_json
    from govflow.workflow import services

    with user_errors():
        intake = read_data_file(file) if file else {}
        applicant = intake.get("applicant") or {}
        if not isinstance(applicant, dict):
            raise InvalidInput(
                "applicant（申请人）应为键值映射（kind、name、id_number、phone…），"
                f"实为{kind_of(applicant)}"
            )
        intake["applicant"] = dict(applicant)
        file_and_options(
            intake,
            {
                "applicant.kind": ("--applicant-kind", applicant_kind),
                "applicant.subkind": ("--applicant-subkind", applicant_subkind),
                "applicant.name": ("--name", name),
                "applicant.id_number": ("--id-number", id_number),
                "applicant.phone": ("--phone", phone),
                "applicant.address": ("--address", address),
                "applicant.email": ("--email", email),
                "channel": ("--channel", channel),
                "description": ("--description", description),
                "received_on": ("--received-on", received_on),
            },
            CASE_TYPE,
        )
        svc = build_services()
        principal = cli_principal(svc, as_user)
        clerk = principal.as_actor()
        ref = services.register_request(
            svc,
            agency_code=clerk.agency_code or "",
            principal=principal,
            intake=intake,
            receipt_date=parse_date("--receipt-date", receipt_date),
            on_the_spot=(
                {
                    "outcome": on_the_spot,
                    "summary": summary or "",
                    **({"where": where} if where else {}),
                }
                if on_the_spot
                else None
            ),
        )
        detail = services.case_detail(svc, clerk, ref)
        if as_json:
            echo_json(case_json(detail))
        else:
            typer.echo(f"已登记：{ref}（{detail.header.state_label}）")


def register_commands(app: typer.Typer) -> None:
    app.add_typer(request_app, name="request")
