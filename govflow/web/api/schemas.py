"""The API's response models (OpenAPI 3.1): typed mirrors of the service layer's views.

The services return plain dataclasses (``CaseDetail``, ``CasePage``, ``CaseTimeline`` …);
these models say what the JSON holds, with real ``date`` and ``datetime`` fields and enums
where the code set is fixed by govflow itself (roles, a deadline's basis and status). Codes
an installation declares (case types, states, actions, outcomes) are strings: the
catalogue at ``GET /api/v1/case-types`` lists them. Nothing here computes anything.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from govflow.workflow.actors import Role
from govflow.workflow.deadline_terms import Basis, DeadlineStatus
from govflow.workflow.documents.records import DocumentRecord
from govflow.workflow.services import (
    CaseDetail,
    CasePage,
    CaseSummary,
    CaseTimeline,
    CaseTypeInfo,
    FiringView,
)
from govflow.workflow.views import CaseHeader


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LabelledValue(Out):
    """One labelled value as people read it (``label：value``), personal data masked."""

    label: str
    value: str


class ListedDeadline(Out):
    """A deadline as a list's row gives it: as it stands at the instant of the answer,
    without the explanation of its date (``Deadline``), which the case's own answer gives —
    writing it for every row was half of what a list of fifty cost to serialise."""

    key: str
    kind: str
    label: str = Field(description="期限名称")
    basis: Basis
    amount: int
    extension_days: int
    start_date: date | None
    start_at: datetime | None
    due_date: date | None = Field(description="工作日期限的届满日（当日 24:00 届满）")
    due_at: datetime | None = Field(description="届满时刻（UTC）")
    due: str = Field(description="届满时间，北京时间，如 2025-10-30 24:00")
    status: DeadlineStatus
    status_label: str
    overdue: bool
    time_left: str = Field(description="剩余时间，如 还剩 12 个工作日；仅计时中的期限有")
    working_days_left: int | None
    hours_left: float | None
    paused: bool
    provisional: bool = Field(description="所跨年份尚无节假日安排，暂按周末计算（临时）")
    pause_reason: str | None
    cancelled_reason: str | None


class Deadline(ListedDeadline):
    """A deadline as it stands at the instant of the answer (or right after an event), with
    how its date was reached."""

    explanation: list[str] = Field(description="期限如何得出，逐条说明，含法律依据")


class Event(Out):
    """One event of a case's history; ``payload`` masked unless the reader may see it."""

    seq: int
    occurred_at: datetime
    actor: str
    actor_name: str
    actor_role: Role
    role_label: str
    action: str
    action_label: str
    state_before: str | None
    state_before_label: str
    state_after: str
    state_after_label: str
    reason: str | None
    payload: dict[str, Any]
    hash: str
    channel: str | None = Field(
        default=None, description="办理途径：web、api:<令牌名>、cli:<操作系统用户>、system"
    )
    imported: dict[str, Any] | None = Field(
        default=None, description="自台账导入的事件：导入人、时间、文件及行号"
    )


class ActionChoice(Out):
    name: str
    label: str


class CaseBase(Out):
    ref: str = Field(description="案件编号，如 示政办依申〔2026〕0001号")
    case_type: str
    case_type_label: str
    agency: str = Field(description="所属机关代码")
    state: str | None
    state_label: str
    assignee: str | None = Field(description="经办人用户名（未指定为空）")
    assignee_name: str | None = Field(
        default=None, description="经办人姓名（如 李经办；账户已不存在时为用户名；未指定为空）"
    )


class AuditFinding(Out):
    """A sign of tampering ``audit verify`` found in a case's history and no later verify
    cleared: the case's records may not be what was done."""

    position: int = Field(description="事件序号（派生数据的问题为最后一个事件的序号）")
    kind: str = Field(description="类别代码，如 edited、deleted、derived")
    kind_label: str = Field(description="类别，如 事件内容被修改")
    message: str = Field(description="发现的问题")
    found_at: datetime = Field(description="首次发现的时间")
    table: str | None = Field(default=None, description="派生数据的问题：表名")
    column: str | None = Field(default=None, description="派生数据的问题：列名")


class Case(CaseBase):
    """One case as the caller may see it, with the actions the caller may take now."""

    version: int = Field(description="案件版本（最后一条事件的序号）；办理时放在 If-Match 中")
    outcome: str | None
    fields: list[LabelledValue] = Field(description="该类型自身的字段，供人阅读")
    data: dict[str, Any] = Field(description="同上，供程序读取")
    deadlines: list[Deadline]
    events: list[Event]
    allowed_actions: list[ActionChoice]
    open_findings: list[AuditFinding] | None = Field(
        default=None,
        description="历史记录校验发现、尚未消除的问题（空列表：没有）；办理动作的应答不读取此项，"
        "为 null，以 GET /cases/{ref} 为准",
    )


class CaseRow(CaseBase):
    """One row of a list: the case, the deadline the list is sorted by, and the limit its
    type always lists (a request's reply limit) when it has one; how a deadline's date was
    reached is in the case's own answer (``GET /cases/{ref}``)."""

    columns: list[LabelledValue]
    data: dict[str, Any]
    deadline: ListedDeadline | None = Field(
        description="列表据以排序的期限：最近届满的计时中期限（key、label 为其代码和名称）；"
        "无计时中的期限时为中止计算的期限（paused，排在最后）；都没有时为空"
    )
    version: int = Field(description="案件版本：可直接放在 If-Match 中办理，无须先读案件")
    reference_deadline: ListedDeadline | None = Field(
        default=None,
        description="该类型在列表中始终列出的期限（如依申请公开的答复期限），不论是否最近届满；"
        "类型未指定或尚未起算时为空",
    )


class CaseList(Out):
    cases: list[CaseRow]
    next_after: str | None = Field(description="下一页的位置（作为 after 参数）；无：已是最后一页")


class TimelineEntry(Out):
    seq: int
    occurred_at: datetime
    actor: str
    actor_name: str
    actor_role: Role
    role_label: str
    action: str
    action_label: str
    state_before: str | None
    state_before_label: str
    state_after: str
    state_after_label: str
    reason: str | None
    payload: dict[str, Any]
    details: list[LabelledValue]
    deadlines: list[Deadline] = Field(description="该事件之后各期限的状态")
    hash: str
    channel: str | None = Field(default=None, description="办理途径")


class Timeline(Out):
    ref: str
    case_type: str
    case_type_label: str
    agency: str
    state: str | None
    state_label: str
    entries: list[TimelineEntry]
    open_findings: list[AuditFinding] = Field(
        default_factory=list, description="历史记录校验发现、尚未消除的问题（空列表：没有）"
    )


class Document(Out):
    """One notice govflow issued or one file attached to the case: its latest version, as
    the event that issued or attached it recorded it (that event's hash covers ``sha256``)."""

    no: int = Field(description="文书序号（案件内从 1 起）；下载见 download")
    type: Literal["notice", "attachment"] = Field(description="notice：告知书；attachment：附件")
    kind: str = Field(description="告知书种类（如 receipt）或附件类别（如 letter）")
    title: str = Field(description="名称，如 政府信息公开申请接收回执")
    number: str | None = Field(description="文号（仅告知书），如 示政办公补〔2025〕3号")
    version: int = Field(description="版本：重新生成的告知书版本递增")
    issued_at: datetime = Field(description="制作或附加的时刻")
    issued_by: str = Field(description="制作或附加人的用户名（system：系统）")
    filename: str = Field(description="文件名（下载时的文件名）")
    media_type: str = Field(description="内容类型，如 application/pdf")
    size: int = Field(description="字节数")
    sha256: str = Field(description="文件的 SHA-256（十六进制）：下载前以此核对")
    download: str = Field(description="下载地址（仅本案所属机关的登记员、经办人、负责人可下载）")


class DocumentList(Out):
    ref: str = Field(description="案件编号")
    documents: list[Document] = Field(description="文书与附件，按序号排列")


class CaseType(Out):
    name: str = Field(description="案件类型代码，如 incident")
    label: str


class Firing(Out):
    """One firing of an escalation rule (a warning, an escalation or an expiry)."""

    key: str = Field(description="触发键：唯一；确认时使用")
    case_ref: str
    deadline_key: str
    rule: str
    level: str
    outcome: str
    threshold_at: datetime
    fired_at: datetime
    late: bool
    message: str
    recipients: list[str]
    recipient_names: list[str]
    action: str | None
    deliveries: dict[str, str]
    repeats: int = Field(1, description="本次触发合并的重复提醒次数")
    acknowledged_by: str | None = Field(None, description="确认人用户名（未确认为空）")
    acknowledged_by_name: str | None = None
    acknowledged_at: datetime | None = None


def _header(header: CaseHeader) -> dict[str, Any]:
    return {
        "ref": header.ref,
        "case_type": header.case_type,
        "case_type_label": header.case_type_label,
        "agency": header.agency,
        "state": header.state,
        "state_label": header.state_label,
    }


def case_out(detail: CaseDetail) -> Case:
    return Case.model_validate(
        {
            **_header(detail.header),
            "assignee": detail.assignee,
            "assignee_name": detail.assignee_name,
            "version": detail.version,
            "outcome": detail.outcome,
            "fields": detail.fields,
            "data": dict(detail.data),
            "deadlines": detail.deadlines,
            "events": detail.events,
            "allowed_actions": detail.allowed_actions,
            "open_findings": detail.findings,
        }
    )


def _row(summary: CaseSummary) -> CaseRow:
    return CaseRow.model_validate(
        {
            **_header(summary.header),
            "assignee": summary.assignee,
            "assignee_name": summary.assignee_name,
            "columns": summary.columns,
            "data": dict(summary.data),
            "deadline": summary.deadline,
            "version": summary.version,
            "reference_deadline": summary.reference,
        }
    )


def page_out(page: CasePage) -> CaseList:
    return CaseList(cases=[_row(c) for c in page.cases], next_after=page.next_after)


def timeline_out(timeline: CaseTimeline) -> Timeline:
    return Timeline.model_validate(
        {
            **_header(timeline.header),
            "entries": timeline.entries,
            "open_findings": timeline.findings,
        }
    )


def document_out(ref: str, record: DocumentRecord) -> Document:
    return Document(
        no=record.no,
        type=record.type,  # notice or attachment: govflow records no other
        kind=record.kind,
        title=record.title,
        number=record.number,
        version=record.version,
        issued_at=record.occurred_at,
        issued_by=record.actor,
        filename=record.filename,
        media_type=record.media_type,
        size=record.size,
        sha256=record.sha256,
        download=f"/api/v1/cases/{quote(ref, safe='')}/documents/{record.no}",
    )


def documents_out(detail: CaseDetail) -> DocumentList:
    return DocumentList(
        ref=detail.ref, documents=[document_out(detail.ref, d) for d in detail.documents]
    )


def case_type_out(info: CaseTypeInfo) -> CaseType:
    return CaseType.model_validate(info)


def firing_out(view: FiringView) -> Firing:
    return Firing.model_validate(view)
