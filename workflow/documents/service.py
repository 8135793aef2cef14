"""Use cases of a case's documents: list, read (within the reader's scope), attach a file,
regenerate a notice; and the file check ``audit verify`` runs on every chain it reads.

Who may read a case's documents is who may read the case (SPEC U-2): its own agency's
staff, and supervisors of that agency or one above it. Attaching and regenerating are
writes, for the case's own clerk, handlers and office head.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.documents import records
from govflow.workflow.documents.filetypes import check_upload
from govflow.workflow.documents.records import ATTACHMENT, NOTICE, DocumentRecord
from govflow.workflow.documents.store import FileStore, sha256_hex
from govflow.workflow.errors import ActionNotAllowed, GovflowError, InvalidInput, NotFound
from govflow.workflow.events import CaseEvent, Finding
from govflow.workflow.identity.acting import acting_actor, active_actor, check_scope
from govflow.workflow.identity.principal import Principal
from govflow.workflow.policy import load_settings

if TYPE_CHECKING:
    from govflow.workflow.services import Services

CATEGORIES = {
    "letter": "申请书（来信）",
    "envelope": "信封",
    "identity": "身份证明",
    "draft_reply": "答复稿",
    "final_reply": "答复书（签发件）",
    "consultation_answer": "征求意见回复",
    "delivery_receipt": "送达回证",
    "other": "其他材料",
}
WRITERS = (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD)


def _store(svc: Services) -> FileStore:
    if svc.files is None:
        raise GovflowError("未配置文件库（GOVFLOW_FILES_DIR）")
    return svc.files


def check_reader(repo: Any, principal: Principal, case: Case) -> Actor:
    """The read scope of U-2: the case's agency, or a supervisor's agency and those below
    (an API token: within its own scope too); the account as it is now, active."""
    if principal.is_system:
        return acting_actor(repo, principal)
    reader = active_actor(repo, principal.username)
    scope = principal.scope
    if scope is not None and case.agency_code != scope.agency:
        below = (
            repo.agency_ids(scope.agency, include_children=True) if scope.include_children else []
        )
        if repo.agency(case.agency_code).id not in below:
            raise ActionNotAllowed(f"此令牌只能查看机关 {scope.agency} 的案件")
    if reader.agency_code == case.agency_code:
        return reader
    if reader.has_role(Role.SUPERVISOR) and reader.agency_code is not None:
        below = repo.agency_ids(reader.agency_code, include_children=True)
        if repo.agency(case.agency_code).id in below:
            return reader
    raise ActionNotAllowed(f"{reader.name} 无权查看 {case.ref} 的文书和附件（不属于本机关）")


def _writer(repo: Any, principal: Principal, action: str, case: Case) -> Actor:
    actor = acting_actor(repo, principal)
    check_scope(principal, action, case.agency_code)
    if actor.agency_code != case.agency_code or not actor.has_role(*WRITERS):
        raise ActionNotAllowed(f"{actor.name} 不是本案所属机关的登记员、经办人或负责人，不能办理")
    return actor


@dataclass(frozen=True)
class CaseDocuments:
    case: Case
    versions: list[DocumentRecord]  # every version, in the order recorded

    @property
    def current(self) -> dict[int, DocumentRecord]:
        latest: dict[int, DocumentRecord] = {}
        for record in self.versions:
            latest[record.no] = record
        return latest


def list_documents(svc: Services, ref: str, reader: Principal) -> CaseDocuments:
    from govflow.workflow.services import load_case

    with svc.uow() as uow:
        case = load_case(svc, uow, ref)
        check_reader(uow.repo, reader, case)
    return CaseDocuments(case, records.all_versions(case.events))


def read_document(
    svc: Services, ref: str, no: int, reader: Principal, version: int | None = None
) -> tuple[DocumentRecord, bytes]:
    """One document's bytes, checked against the hash its event recorded."""
    docs = list_documents(svc, ref, reader)
    versions = [r for r in docs.versions if r.no == no]
    if not versions:
        known = "、".join(str(n) for n in sorted(docs.current)) or "无"
        raise NotFound(f"{ref} 没有第 {no} 号文书或附件（现有：{known}）")
    if version is not None:
        versions = [r for r in versions if r.version == version]
        if not versions:
            raise NotFound(f"第 {no} 号文书没有第 {version} 版")
    record = versions[-1]
    content = _store(svc).get(record.sha256)
    if sha256_hex(content) != record.sha256:
        raise GovflowError(
            f"文件库中第 {no} 号文书的内容与历史记录的哈希不符（文件被替换或损坏），拒绝输出"
        )
    return record, content


def attach(
    svc: Services,
    *,
    ref: str,
    principal: Principal,
    filename: str,
    content: bytes,
    category: str,
    note: str | None = None,
) -> DocumentRecord:
    """Keep a file with the case: type and size checked first, nothing written on refusal;
    the file's SHA-256 goes into the event."""
    from govflow.workflow.services import load_case, save

    if category not in CATEGORIES:
        raise InvalidInput(f"未知附件类别 {category!r}；可选：{', '.join(CATEGORIES)}")
    limit = int(load_settings().notices.max_attachment_mb * 1048576)
    file_type = check_upload(filename, content, limit)
    now = svc.clock.now()
    with svc.uow() as uow:
        case = load_case(svc, uow, ref)
        actor = _writer(uow.repo, principal, "attach", case)
        sha = _store(svc).put(content)
        record = {
            "no": records.next_no(case.events),
            "version": 1,
            "type": ATTACHMENT,
            "kind": category,
            "title": CATEGORIES[category],
            "filename": _safe_name(filename),
            "media_type": file_type.media_type,
            "size": len(content),
            "sha256": sha,
            **({"note": note} if note else {}),
        }
        before = len(case.events)
        payload = {"category": category, **({"note": note} if note else {})}
        event = case.record_documents("attach", payload, [record], actor, now, svc.calendar)
        save(svc, uow, case, case.events[before:], now)
        uow.commit()
    return DocumentRecord.from_event(event, record)


def regenerate_notice(
    svc: Services, *, ref: str, no: int, principal: Principal, reason: str
) -> DocumentRecord:
    """A notice rendered again (e.g. after a template was corrected): a new version with the
    same number and date; the old version stays, in its own event."""
    from govflow.workflow.services import load_case, save

    if not reason.strip():
        raise InvalidInput("须说明重新生成的理由（reason）")
    if svc.notices is None:
        raise GovflowError("未配置告知书模板")
    now = svc.clock.now()
    with svc.uow() as uow:
        case = load_case(svc, uow, ref)
        actor = _writer(uow.repo, principal, "regenerate_notice", case)
        record = case.documents.get(no)
        if record is None or record.type != NOTICE:
            raise NotFound(f"{ref} 没有第 {no} 号告知书")
        new = svc.notices.regenerate(case, record, uow.repo, svc.calendar, record.version + 1)
        before = len(case.events)
        payload = {"document": no, "reason": reason.strip()}
        event = case.record_documents("regenerate_notice", payload, [new], actor, now, svc.calendar)
        save(svc, uow, case, case.events[before:], now)
        uow.commit()
    return DocumentRecord.from_event(event, new)


def file_findings(ref: str, events: Iterable[CaseEvent], store: FileStore) -> list[Finding]:
    """Each stored file a chain names must be there and hash to what its event recorded."""
    findings = []
    for record in records.all_versions(events):
        where = f"第 {record.no} 号文书（第 {record.version} 版，位置 {record.seq}）"
        try:
            content = store.get(record.sha256)
        except NotFound:
            findings.append(Finding(ref, record.seq, "file_missing", f"{where}的文件缺失"))
            continue
        if sha256_hex(content) != record.sha256:
            findings.append(
                Finding(ref, record.seq, "file_altered", f"{where}的文件内容被替换（哈希不符）")
            )
    return findings


def _safe_name(filename: str) -> str:
    """The file's own name, without any directory part (it is shown and used in archives)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "附件"


def export_case_file(svc: Services, ref: str, reader: Principal) -> tuple[bytes, str]:
    """卷宗: the archive of a disclosure request and the manifest digest to keep elsewhere.

    Every stored file is checked against its recorded hash first: a case file is never
    exported with a swapped document in it.
    """
    from govflow.workflow.audit import timeline
    from govflow.workflow.documents import casefile
    from govflow.workflow.services import DISCLOSURE, load_case

    if svc.notices is None:
        raise GovflowError("未配置告知书模板，无法制作案卷封面")
    now = svc.clock.now()
    with svc.uow() as uow:
        case = load_case(svc, uow, ref)
        actor = check_reader(uow.repo, reader, case)
        if case.case_type != DISCLOSURE:
            raise InvalidInput("卷宗导出适用于政府信息公开申请")
        names = {e.actor: e.actor for e in case.events}
        for username in names:
            try:
                names[username] = uow.repo.user(username).name
            except NotFound:
                pass
        request = uow.repo.request(ref)
        agency = uow.repo.agency(case.agency_code)
        assignee = uow.repo.user(case.assignee).name if case.assignee else "—"
    findings = file_findings(ref, case.events, _store(svc))
    if findings:
        raise GovflowError("；".join(f.message for f in findings) + "（请先运行 audit verify）")
    versions = records.all_versions(case.events)
    documents = [(r, _store(svc).get(r.sha256)) for r in versions]
    entries = timeline(case, case.events, svc.calendar, names)
    cover = svc.notices.templates.render(
        "case_file_cover", cover_values(case, request, agency.name, assignee, versions, now)
    )
    return casefile.build(
        casefile.CaseFileInput(
            ref=ref,
            agency=agency.name,
            exported_at=now,
            exported_by=actor.username,
            events=case.events,
            cover=cover,
            timeline=casefile.timeline_document(ref, case.workflow.case_type.label, entries),
            documents=documents,
        )
    )


def cover_values(
    case: Case,
    request: Any,
    agency_name: str,
    handler: str,
    versions: list[DocumentRecord],
    now: Any,
) -> dict[str, str]:
    """The cover sheet (案卷封面) of a disclosure request, from the case."""
    from govflow.workflow.clock import local_date
    from govflow.workflow.disclosure.actions import SUBKIND_LABELS, LegalPersonSubkind
    from govflow.workflow.notices.capitals import cn_date
    from govflow.workflow.notices.issue import notice_label

    facts = case.facts
    kind = "自然人"
    if request.applicant_subkind:
        kind = f"法人或其他组织（{SUBKIND_LABELS[LegalPersonSubkind(request.applicant_subkind)]}）"
    notices = len({r.no for r in versions if r.type == NOTICE})
    attachments = len({r.no for r in versions if r.type == ATTACHMENT})
    archived = [e for e in case.events if e.action == "archive"]
    return {
        "title": "政府信息公开申请案卷",
        "number": "",
        "agency": agency_name,
        "ref": case.ref,
        "recipient": request.applicant_name,
        "applicant": request.applicant_name,
        "applicant_address": request.address or "",
        "applicant_kind": kind,
        "request": request.description,
        "received_date": cn_date(facts.receipt_date or facts.received_on),
        "issue_date": cn_date(local_date(now)),
        "seal": "",
        "basis": "",
        "handler": handler,
        "state": case.state_label,
        "outcome": notice_label(facts.outcome) if facts.outcome else "—",
        "reply_date": cn_date(facts.replied_on) or "—",
        "closed_date": cn_date(facts.closed_on) or "—",
        "archive_date": cn_date(local_date(archived[-1].occurred_at)) if archived else "未归档",
        "documents": f"告知书 {notices} 份、附件 {attachments} 份",
        "events": str(case.head_seq),
        "head_hash": case.head_hash,
    }
