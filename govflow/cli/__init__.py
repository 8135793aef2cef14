"""The ``govflow`` command: every use case, for people (zh-CN text) and scripts (``--json``).

Environment: ``GOVFLOW_DATABASE_URL`` selects the database (a SQLite file
``govflow.db`` by default), ``GOVFLOW_NOW`` pins the clock (T-5). Errors print one
line ``错误：…`` on stderr; exit codes: 2 bad input, 3 action not allowed, 4 not
found, 5 conflict, 1 verification findings.
"""

from __future__ import annotations

import os

# Plain help and error text, not Rich's: importing Rich (and the Markdown parser it brings)
# cost more than all the rest of start-up. Set TYPER_USE_RICH=1 to have it back.
os.environ.setdefault("TYPER_USE_RICH", "0")

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govflow.cli import (
    audit,
    casetypes,
    deadline,
    generate,
    imports,
    incident,
    report,
    serve,
    workers,
)
from govflow.cli.common import (
    AsUser,
    JsonFlag,
    database_problem,
    echo_json,
    exit_code,
    internal_error,
    user_errors,
)
from govflow.workflow.errors import GovflowError, InvalidInput

if TYPE_CHECKING:
    from govflow.workflow.actors import Actor
    from govflow.workflow.services import Services

# The database, ORM and service modules are imported inside the commands that need them:
# ``govflow deadline`` is a calculator clerks run often, and should start in a blink.

app = typer.Typer(
    help="govflow：政府信息公开申请与政务舆情的期限管理。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # a person sees one 错误 line, never a traceback
)
request_app = typer.Typer(help="依申请公开：登记申请。", no_args_is_help=True)
case_app = typer.Typer(help="案件：办理、查看、列出。", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历：更新节假日安排后重新计算期限。", no_args_is_help=True)
app.add_typer(request_app, name="request")
app.add_typer(case_app, name="case")
app.add_typer(calendar_app, name="calendar")
deadline.register(app)
audit.register(app)
workers.register(app)
casetypes.register(app, case_app)
incident.register_commands(app)
report.register(app)
generate.register(app)
serve.register(app)
imports.register(app)


def read_data_file(path: Path) -> dict[str, Any]:
    """A YAML or JSON file, or ``-`` for standard input."""
    import yaml

    try:
        text = (
            typer.get_text_stream("stdin").read() if str(path) == "-" else path.read_text("utf-8")
        )
        data = yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"{path}: 无法读取：{exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: 应为键值映射")
    return data


def parse_sets(pairs: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--set 应为 字段=值，实为 {pair!r}")
        data[key.strip()] = value
    return data


QUIET_COMMANDS = frozenset({"deadline"})
"""Commands that log nothing (a pure calculator): they skip importing structlog, which
imports Rich when it is installed, and start in a blink."""


@app.callback()
def _setup(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand in QUIET_COMMANDS:
        return
    from govflow.logs import configure_logging

    configure_logging()


def build_services() -> Services:
    from govflow.app import build_services as build

    return build()


@app.command()
def init(
    org: Annotated[Path | None, typer.Option(help="机关与用户的 YAML 文件")] = None,
) -> None:
    """初始化数据库（执行迁移），并可导入机关与用户。"""
    from govflow.models.db import make_engine, migrate, session_factory
    from govflow.models.org import load_org, read_org_file

    with user_errors():
        org_file = read_org_file(org) if org else None
        engine = make_engine()
        migrate(engine)
        typer.echo(f"数据库已就绪：{engine.url.render_as_string(hide_password=True)}")
        if org_file is not None:
            with session_factory(engine)() as session:
                agencies, users = load_org(session, org_file)
                session.commit()
            typer.echo(f"已导入 {agencies} 个机关、{users} 个用户。")


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
    from govflow.cli import render
    from govflow.workflow import services

    with user_errors():
        intake = read_data_file(file) if file else {}
        applicant = dict(intake.get("applicant", {}))
        for key, value in (
            ("kind", applicant_kind),
            ("subkind", applicant_subkind),
            ("name", name),
            ("id_number", id_number),
            ("phone", phone),
            ("address", address),
            ("email", email),
        ):
            if value is not None:
                applicant[key] = value
        intake["applicant"] = applicant
        for key, value in (
            ("channel", channel),
            ("description", description),
            ("received_on", received_on),
        ):
            if value is not None:
                intake[key] = value
        svc = build_services()
        ref = services.register_request(
            svc,
            agency_code=_actor(svc, as_user).agency_code or "",
            actor_username=as_user,
            intake=intake,
            receipt_date=_date(receipt_date, "--receipt-date"),
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
        view = services.get_case(svc, ref)
        if as_json:
            echo_json(render.case_json(view, _actor(svc, as_user), svc.calendar, svc.clock.now()))
        else:
            typer.echo(f"已登记：{ref}（{view.case.state_label}）")


@case_app.command("act")
def act(
    ref: str,
    action: str,
    as_user: AsUser,
    set_: Annotated[list[str] | None, typer.Option("--set", help="字段=值，可重复")] = None,
    file: Annotated[Path | None, typer.Option(help="动作数据 YAML/JSON 文件")] = None,
    as_json: JsonFlag = False,
) -> None:
    """对案件执行一个动作（如 accept、extend、draft_reply、approve_reply）。"""
    from govflow.cli import render
    from govflow.workflow import services

    with user_errors():
        payload = read_data_file(file) if file else {}
        payload.update(parse_sets(set_ or []))
        svc = build_services()
        event = services.act(svc, ref=ref, action=action, payload=payload, actor_username=as_user)
        if as_json:
            echo_json(
                {
                    "ref": ref,
                    "seq": event.seq,
                    "action": action,
                    "state_before": event.state_before,
                    "state_after": event.state_after,
                    "hash": event.hash,
                    "deadlines": event.data["deadlines"],
                }
            )
        else:
            view = services.get_case(svc, ref)
            typer.echo(f"{ref}：{action} 已完成，当前状态：{view.case.state_label}")
            for d in view.case.deadlines:
                typer.echo("  " + render.deadline_line(d, svc.calendar, svc.clock.now()))


@case_app.command("show")
def show(
    ref: str,
    as_user: Annotated[
        str | None, typer.Option("--as", help="查看人（决定能否看到个人信息）")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """查看案件：基本信息、期限（含计算说明）与时间线。"""
    from govflow.cli import render
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        reader = _actor(svc, as_user) if as_user else None
        view = services.get_case(svc, ref)
        now = svc.clock.now()
        if as_json:
            echo_json(render.case_json(view, reader, svc.calendar, now))
        else:
            typer.echo("\n".join(render.case_text(view, reader, svc.calendar, now)))
            if reader is not None:
                allowed = view.case.workflow.case_type.allowed_actions(
                    view.case.state or "", reader.role
                )
                names = "、".join(f"{a.name}（{a.label}）" for a in allowed) or "无"
                typer.echo(f"\n{reader.name} 可执行的动作：{names}")


@case_app.command("list")
def list_cases(
    agency: Annotated[str | None, typer.Option(help="机关代码")] = None,
    case_type: Annotated[
        str, typer.Option("--type", help="案件类型（默认 disclosure_request）")
    ] = "disclosure_request",
    limit: Annotated[int, typer.Option("--limit", min=1, help="列出的件数（第一页）")] = 50,
    all_: Annotated[bool, typer.Option("--all", help="列出全部（逐页读取）")] = False,
    as_json: JsonFlag = False,
) -> None:
    """列出未办结的案件（默认为依申请公开），剩余时间最少的在前；默认只列第一页。"""
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        now = svc.clock.now()
        rows: list[dict[str, Any]] = []  # kept only for --json
        shown, after, more = 0, None, False
        while True:
            page = services.list_open(svc, case_type, agency, after, limit)
            for case in page.cases:
                row = (
                    _request_row(case, svc, now)
                    if case_type == "disclosure_request"
                    else _any_row(case, svc, now)
                )
                if as_json:
                    rows.append(row)
                else:
                    typer.echo(row.pop("_line"))
            shown += len(page.cases)
            after, more = page.next_after, page.next_after is not None
            if not (all_ and more):
                break
        if as_json:
            for row in rows:
                row.pop("_line")
            echo_json(rows)
            return
        if not shown:
            typer.echo(
                "没有未办结的申请。" if case_type == "disclosure_request" else "没有未办结的案件。"
            )
        elif more:
            typer.echo(f"（仅列出最紧迫的 {shown} 件；用 --all 列出全部，或 --limit 调整件数）")


def _request_row(case: Any, svc: Services, now: Any) -> dict[str, Any]:
    """A disclosure request with its reply limit, and the line that shows it."""
    reply = next((d for d in case.deadlines if d.key == "reply"), None)
    row: dict[str, Any] = {
        "ref": case.ref,
        "agency": case.agency_code,
        "state": case.state,
        "state_label": case.state_label,
        "assignee": case.assignee,
        "reply_due": reply.due_at.isoformat() if reply and reply.due_at else None,
        "reply_due_date": reply.due_date.isoformat() if reply and reply.due_date else None,
        "reply_status": reply.status.value if reply else None,
        "time_left": reply.time_left(svc.calendar, now) if reply else "",
        "provisional": bool(reply and reply.provisional),
    }
    flag = "【临时】" if row["provisional"] else ""
    # A working-day limit ends at 24:00 of its last day, written as `case show` does
    # (the instant itself would read as 00:00 of the next day).
    due = f"{row['reply_due_date']} 24:00" if row["reply_due_date"] else "—"
    row["_line"] = (
        f"{row['ref']}　{row['state_label']}　答复期限 {due}　"
        f"{row['time_left'] or row['state_label']}{flag}"
    )
    return row


def _any_row(case: Any, svc: Services, now: Any) -> dict[str, Any]:
    """A case of any type with its most pressing running deadline."""
    from govflow.cli import render

    nearest = case.next_deadline
    due = render.deadline_line(nearest, svc.calendar, now) if nearest else "无计时中的期限"
    return {
        "ref": case.ref,
        "agency": case.agency_code,
        "state": case.state,
        "state_label": case.state_label,
        "assignee": case.assignee,
        "deadline": nearest.key if nearest else None,
        "deadline_label": nearest.label if nearest else None,
        "due_at": nearest.due_at.isoformat() if nearest and nearest.due_at else None,
        "time_left": nearest.time_left(svc.calendar, now) if nearest else "",
        "_line": f"{case.ref}　{case.state_label}　{due}",
    }


@calendar_app.command("recompute")
def recompute() -> None:
    """节假日安排更新后，重新计算所有临时期限，并在各案件记录变更事件。"""
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        changed = services.recompute_deadlines(svc)
        for ref, changes in changed:
            for key, change in changes.items():
                typer.echo(
                    f"{ref} {key}：{change['from']} → {change['to']}"
                    f"{'（仍为临时）' if change['provisional'] else ''}"
                )
        typer.echo(f"已重新计算，{len(changed)} 件案件的期限有变化。")


@app.command()
def demo(
    keep: Annotated[Path | None, typer.Option(help="保留演示数据库到此文件")] = None,
) -> None:
    """演示：在临时 SQLite 数据库上，随时间推移办理多件申请。"""
    from govflow.demo import run_demo

    with user_errors():
        run_demo(keep)


def _actor(svc: Services, username: str) -> Actor:
    with svc.uow() as uow:
        return uow.repo.actor(username)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option} 不是有效日期：{text!r}") from None


def main() -> None:
    """Every failure ends as one ``错误：`` line and a documented exit code, never a traceback."""
    try:
        app()
    except GovflowError as exc:  # raised outside a command's own error handling
        typer.echo(f"错误：{exc}", err=True)
        raise SystemExit(exit_code(exc)) from None
    except Exception as exc:
        message = database_problem(exc)
        if message is None:
            internal_error(exc)
        typer.echo(f"错误：{message}", err=True)
        raise SystemExit(2) from None
