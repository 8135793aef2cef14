"""``import_requests``: an office's sheet of past requests, checked whole, then written whole.

Every row is parsed and planned (``workflow.imports``: columns, plan), then played through
the real disclosure rules in memory, each action on the day the sheet says it happened: a
row the rules cannot follow (a reply before the request was reviewed, a reconsideration
before the reply, an unknown handler) is a problem, and a file with any problem writes
nothing and lists them all. What the law would have refused at the time (an extension after
the limit passed, a late correction notice) and every limit missed (a late reply) is not a
problem but a finding: the history is recorded as it happened and the disagreement is listed
and kept on the event (a late extension, though recorded, extends nothing: the reply is
judged by the original limit). Then, in one transaction, each request not imported before
becomes a case whose events carry the mark of their import (who, when, file, line, the
file's SHA-256).

The import is about one case type, the disclosure request: this module names it and its
actions; the shared use cases do not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import structlog

from govflow.workflow import case_workers
from govflow.workflow.actors import SYSTEM, Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.disclosure.context import Context
from govflow.workflow.disclosure.contract import DisclosureWorkflow
from govflow.workflow.disclosure.deadline_kinds import REPLY
from govflow.workflow.disclosure.register import ImportedRequests
from govflow.workflow.errors import ActionNotAllowed, GovflowError
from govflow.workflow.identity.acting import acting_actor, check_scope
from govflow.workflow.identity.principal import Principal
from govflow.workflow.imports.columns import (
    BY_HEADER,
    COLUMNS,
    Problem,
    header,
    outcome_spellings,
    parse_row,
)
from govflow.workflow.imports.plan import Plan, plan_row
from govflow.workflow.imports.sheet import Sheet
from govflow.workflow.ports import WritingUnitOfWork
from govflow.workflow.services.base import Services
from govflow.workflow.services.cases import policy_digest, reference, save
from govflow.workflow.services.requests import CASE_TYPE as DISCLOSURE

log = structlog.get_logger(__name__)

Progress = Callable[[str, int, int], None]
"""(stage, rows done, rows in all): for a long file's progress line."""


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    rows: int
    created: list[tuple[int, str]] = field(default_factory=list)  # (line, reference number)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # imported before
    problems: list[Problem] = field(default_factory=list)  # any: nothing was written
    findings: list[Problem] = field(default_factory=list)  # the law and the sheet disagree
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.problems


def _headers(sheet: Sheet) -> tuple[list[Problem], list[str]]:
    missing = [c.header for c in COLUMNS if c.required and c.header not in sheet.headers]
    problems = [Problem(1, name, "缺少此列（表头）") for name in missing]
    return problems, [h for h in sheet.headers if h not in BY_HEADER]


class _StepFailed(Exception):
    """A step of a row the rules refused, with the step (its columns name the place)."""

    def __init__(self, step: Any, error: GovflowError) -> None:
        super().__init__(str(error))
        self.step, self.error = step, error


def _instant(day: date, index: int) -> datetime:
    """The recorded instant of a past step: its day, from 09:00, a minute apart in order."""
    return datetime.combine(day, time(9, 0), SHANGHAI) + timedelta(minutes=index)


def _play(
    case: Case, plan: Plan, actor: Actor, svc: Services, mark: dict[str, Any]
) -> list[Problem]:
    """The plan's steps on ``case``, each on its day; the findings (raises on a problem)."""
    workflow = case.workflow
    assert isinstance(workflow, DisclosureWorkflow)
    findings: list[str] = []
    for i, step in enumerate(plan.steps):
        now = _instant(step.day, i)
        who = SYSTEM if step.system else actor
        # The applicant's other requests are not counted: the sheet's history is taken as
        # it was, and the guards that count them only refuse (findings at most).
        context = Context(
            now=now,
            today=step.day,
            state=case.state or "",
            calendar=svc.calendar,
            policy=workflow.settings.disclosure,
            role=who.role,
        )
        try:
            case.act(
                step.action, step.payload, who, now, svc.calendar, context,
                imported=mark, findings=findings,
            )  # fmt: skip
        except GovflowError as exc:
            raise _StepFailed(step, exc) from exc
    line = plan.row.line
    found = [Problem(line, "", message) for message in findings]
    reply = next((d for d in case.deadlines if d.key == REPLY), None)
    if reply is not None and case.facts.edition is not None:
        cite = case.facts.edition.cite("reply")
        if reply.status is DeadlineStatus.BREACHED and reply.met_on and reply.due_date:
            found.append(
                Problem(line, header("replied_on"),
                        f"答复日期 {reply.met_on.isoformat()} 晚于答复期限 {reply.due_date.isoformat()}（{cite}），计为超期答复")
            )  # fmt: skip
        elif reply.is_overdue(svc.clock.now()) and reply.due_date:
            found.append(
                Problem(line, header("outcome"),
                        f"尚未答复，答复期限已于 {reply.due_date.isoformat()} 届满（{cite}）")
            )  # fmt: skip
    return found


def _rehearse(
    plan: Plan, actor: Actor, svc: Services, workflow: DisclosureWorkflow
) -> tuple[list[Problem], list[Problem]]:
    """Play a row in memory: its problems, or its findings."""
    case = Case.opened(workflow, actor.agency_code or "", "（导入预检）")
    try:
        return [], _play(case, plan, actor, svc, {})
    except _StepFailed as failed:
        return [Problem(plan.row.line, failed.step.columns[0], str(failed.error))], []


def _assignees(plans: list[Plan], actor: Actor, uow: WritingUnitOfWork) -> list[Problem]:
    """Each row's 经办人 by the rule 指定经办人 applies (``case_workers.assignee_refusal``):
    an active person's account of the importing office holding a role that handles cases,
    so a departed or locked account, or a service account, is a problem on its row. Each
    name is looked up once, however many rows name it."""
    problems = []
    agency_code = actor.agency_code or ""
    refusals: dict[str, str | None] = {}
    for plan in plans:
        name = plan.row.get("assignee")
        if not name:
            continue
        if name not in refusals:
            refusals[name] = case_workers.assignee_refusal(uow.repo, name, agency_code)
        why = refusals[name]
        if why is not None:
            problems.append(Problem(plan.row.line, header("assignee"), why))
    return problems


def import_requests(
    svc: Services,
    *,
    principal: Principal,
    sheet: Sheet,
    file_name: str,
    sha256: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every row; if none has a problem, create the requests not imported before, in
    one transaction. The result says what was created, skipped, found and refused."""
    workflow = svc.config.case_types.find(DISCLOSURE)
    assert isinstance(workflow, DisclosureWorkflow)
    spellings = outcome_spellings(workflow.outcomes)
    result = ImportResult(file_name, sha256, len(sheet.rows))
    now = svc.clock.now()
    with svc.uow() as uow:
        actor = acting_actor(uow.repo, principal).acting_as({Role.OFFICE_HEAD})
        check_scope(principal, "import_requests", actor.agency_code or "", uow.repo, "导入历史申请")
        if actor.role is not Role.OFFICE_HEAD:
            raise ActionNotAllowed(
                "导入历史申请须由公开办负责人操作（其中的延长、答复审批由负责人作出）"
            )
        result.problems, result.ignored_headers = _headers(sheet)
        absent = {p.column for p in result.problems}  # named once, on the header line
        plans: list[Plan] = []
        first_line: dict[str, int] = {}
        for done, (line, cells) in enumerate(sheet.rows, start=1):
            row, problems = parse_row(line, cells, spellings)
            plan, more = plan_row(
                row, local_date(now), workflow.editions, {p.column for p in problems}
            )
            problems = [p for p in problems if p.column not in absent]
            result.problems += problems + more
            if plan is not None:
                if plan.key in first_line:
                    result.problems.append(
                        Problem(line, "", f"与第 {first_line[plan.key]} 行是同一申请")
                    )
                else:
                    first_line[plan.key] = line
                    plans.append(plan)
            if progress and done % 100 == 0:
                progress("检查", done, len(sheet.rows))
        result.problems += _assignees(plans, actor, uow)
        agency_id = uow.repo.agency(actor.agency_code or "").id
        already = uow.store(ImportedRequests).imported_refs(agency_id, [p.key for p in plans])
    # A request imported before is skipped (its findings were listed then); the rest are
    # played through the rules now, so a file that would fail writes nothing.
    fresh = [p for p in plans if p.key not in already]
    for done, plan in enumerate(fresh, start=1):
        problems, findings = _rehearse(plan, actor, svc, workflow)
        result.problems += problems
        result.findings += findings
        if progress and done % 100 == 0:
            progress("预演", done, len(fresh))
    result.problems.sort(key=lambda p: (p.line, p.column))
    if result.problems:
        return result
    _write(svc, workflow, result, plans, actor, now, progress)
    return result


def _write(
    svc: Services,
    workflow: DisclosureWorkflow,
    result: ImportResult,
    plans: list[Plan],
    actor: Actor,
    now: datetime,
    progress: Progress | None,
) -> None:
    with svc.uow() as uow:
        repo = uow.repo
        imported = uow.store(ImportedRequests)
        agency = repo.agency(actor.agency_code or "")
        already = imported.imported_refs(agency.id, [p.key for p in plans])
        digest = policy_digest(svc, uow, workflow, now)
        for done, plan in enumerate(plans, start=1):
            row = plan.row
            if plan.key in already:
                result.skipped.append((row.line, already[plan.key]))
                continue
            case = Case.opened(workflow, agency.code)
            case.escalation_policy = digest
            # The number belongs to the year the request arrived.
            case.ref = reference(uow, agency, workflow, plan.steps[0].day.year)
            mark = {
                "by": actor.username,
                "at": now.isoformat(),
                "file": result.file_name,
                "sha256": result.sha256,
                "line": row.line,
                **({"original_ref": row.get("original_ref")} if row.get("original_ref") else {}),
            }
            try:
                _play(case, plan, actor, svc, mark)
            except _StepFailed as failed:  # rehearsed already: only a change since then
                raise failed.error from None
            repo.add(case, agency.id, now)
            uow.flush()
            workflow.created(uow, case, case.events[0])
            imported.add_imported(
                case.ref,
                row_key=plan.key,
                original_ref=row.get("original_ref"),
                file_name=result.file_name[-300:],
                file_sha256=result.sha256,
                line=row.line,
                imported_at=now,
                actor=actor.username,
            )
            uow.flush()
            save(svc, uow, case, case.events, now)
            result.created.append((row.line, case.ref))
            if progress and done % 100 == 0:
                progress("写入", done, len(plans))
        uow.commit()
    log.info(
        "requests.imported",
        file_sha256=result.sha256,
        created=len(result.created),
        skipped=len(result.skipped),
        findings=len(result.findings),
        actor=actor.username,
    )
