"""A case's documents (SPEC N-1, N-2): list and read them within the reader's scope, attach
a file, regenerate a notice, export the case file (卷宗) and check one; and the hook that
lets an action issue its notices in its own transaction.

Who may list a case's documents is who may read the case (``workflow.access``): out of
scope reads as not found, like the case itself. The documents themselves and the case file
carry the applicant's identity and contact data unmasked (a notice is addressed to them), so
only those who see personal data — the staff of the case's agency, and the system — may
download them; a supervisor above sees the list (exit 3 for the bytes). Attaching and
regenerating are writes, for the case's own clerk, handlers and office head.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from govflow.workflow.access import may_see_personal_data
from govflow.workflow.actors import Actor, Role
from govflow.workflow.audit import timeline
from govflow.workflow.cases import ATTACHED, NOTICE_REGENERATED, Case
from govflow.workflow.documents import casefile, records
from govflow.workflow.documents.filetypes import check_upload
from govflow.workflow.documents.records import ATTACHMENT, NOTICE, DocumentRecord
from govflow.workflow.documents.store import FileStore, sha256_hex
from govflow.workflow.errors import (
    DamagedDocument,
    GovflowError,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from govflow.workflow.identity.acting import acting_actor, check_scope
from govflow.workflow.identity.principal import Principal
from govflow.workflow.notices.issue import Notices
from govflow.workflow.notices.templates import COVER_KIND
from govflow.workflow.ports import WritingUnitOfWork
from govflow.workflow.services.base import Services, readable_case
from govflow.workflow.services.cases import save
from govflow.workflow.views import action_labels

CATEGORIES = {
    "letter": "申请书（来信）",
    "envelope": "信封",
    "identity": "身份证明",
    "reply_draft": "答复稿",
    "reply_final": "答复书（签发件）",
    "consultation_answer": "征求意见回复",
    "delivery_receipt": "送达回证",
    "other": "其他材料",
}
WRITERS = (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD)


def _store(svc: Services) -> FileStore:
    if svc.files is None:
        raise GovflowError("未配置文件库（GOVFLOW_FILES_DIR）")
    return svc.files


def _notices(svc: Services) -> Notices:
    if svc.notices is None:
        raise GovflowError("未配置告知书模板")
    return svc.notices


def _writer(
    svc: Services,
    uow: WritingUnitOfWork,
    principal: Principal,
    ref: str,
    action: str,
    history: bool = False,
) -> tuple[Actor, Case]:
    """The case and who writes to it: the account as it is now (active), able to read the
    case (else not found, as for one that does not exist), within its token's scope, one of
    the case's own agency's clerks, handlers or office heads; in the role it acts in."""
    actor = acting_actor(uow.repo, principal)
    case = readable_case(svc, uow, actor, ref, history)
    check_scope(principal, action, case.agency_code, uow.repo, action_labels(case).get(action))
    if actor.agency_code != case.agency_code or not actor.has_role(*WRITERS):
        raise NotPermitted(f"{actor.name} 不是本案所属机关的登记员、经办人或负责人，不能办理")
    return actor.acting_as(WRITERS), case


@dataclass(frozen=True)
class CaseDocuments:
    """A case's documents as its events recorded them, with the deliveries recorded since."""

    ref: str
    versions: list[DocumentRecord]  # every version, in the order recorded
    delivered: dict[int, str]  # document no → the delivery date (ISO), where one is recorded

    @property
    def current(self) -> dict[int, DocumentRecord]:
        latest: dict[int, DocumentRecord] = {}
        for record in self.versions:
            latest[record.no] = record
        return latest


def _check_download(reader: Actor, case: Case) -> None:
    """Notices print the applicant's name, ID number, address and phone: only a reader
    who sees them unmasked downloads them (a masked copy would no longer be the notice
    whose SHA-256 its event recorded, so the rest are refused, not served masked)."""
    if reader.has_role(Role.SYSTEM) or may_see_personal_data(reader, case.agency_code):
        return
    if may_see_personal_data(replace(reader, reads_personal_data=True), case.agency_code):
        # The case's own staff through a token issued without the permission: say what
        # the administrator can change.
        raise NotPermitted(
            f"此 API 令牌未获准读取申请人身份与联系信息，不能下载 {case.ref} 的文书和卷宗；"
            "如确需下载，请系统管理员签发带此权限的令牌"
        )
    # Whoever they are, not what state the case is in: a refusal of the person (403).
    raise NotPermitted(
        f"{case.ref} 的文书和卷宗载有申请人的身份与联系信息，"
        "仅本案所属机关的登记员、经办人和负责人可以下载"
    )


def list_documents(svc: Services, reader: Actor, ref: str) -> CaseDocuments:
    return _documents(svc, reader, ref, download=False)


def _documents(svc: Services, reader: Actor, ref: str, *, download: bool) -> CaseDocuments:
    with svc.uow() as uow:
        case = readable_case(svc, uow, reader, ref)
    if download:
        _check_download(reader, case)
    deliveries = getattr(case.facts, "deliveries", {}) or {}
    delivered = {no: d["delivered_on"].isoformat() for no, d in deliveries.items()}
    return CaseDocuments(case.ref, records.all_versions(case.events), delivered)


def read_document(
    svc: Services, reader: Actor, ref: str, no: int, version: int | None = None
) -> tuple[DocumentRecord, bytes]:
    """One document's bytes, checked against the hash its event recorded."""
    docs = _documents(svc, reader, ref, download=True)
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
        raise DamagedDocument(
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
    if category not in CATEGORIES:
        raise InvalidInput(f"未知附件类别 {category!r}；可选：{', '.join(CATEGORIES)}")
    limit = int(svc.config.settings.notices.max_attachment_mb * 1048576)
    file_type = check_upload(filename, content, limit)
    now = svc.clock.now()
    with svc.uow() as uow:
        # Its documents are kept with its facts: no history needed.
        actor, case = _writer(svc, uow, principal, ref, ATTACHED)
        sha = _store(svc).put(content)
        record = {
            "no": records.next_no(case.documents),
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
        event = case.record_documents(ATTACHED, payload, [record], actor, now, svc.calendar)
        save(svc, uow, case, case.events[before:], now)
        uow.commit()
    return DocumentRecord.from_event(event, record)


def regenerate_notice(
    svc: Services, *, ref: str, no: int, principal: Principal, reason: str
) -> DocumentRecord:
    """A notice rendered again (e.g. after a template was corrected): a new version with the
    same number and date; the old version stays, in its own event."""
    if not reason.strip():
        raise InvalidInput("须说明重新生成的理由（reason）")
    notices = _notices(svc)
    now = svc.clock.now()
    with svc.uow() as uow:
        # With its history: the issuing event, and the case as it was then, replayed.
        actor, case = _writer(svc, uow, principal, ref, NOTICE_REGENERATED, history=True)
        record = case.documents.get(no)
        if record is None or record.type != NOTICE:
            raise NotFound(f"{ref} 没有第 {no} 号告知书")
        new = notices.regenerate(case, record, uow, svc.calendar, record.version + 1)
        before = len(case.events)
        payload = {"document": no, "reason": reason.strip()}
        event = case.record_documents(NOTICE_REGENERATED, payload, [new], actor, now, svc.calendar)
        save(svc, uow, case, case.events[before:], now)
        uow.commit()
    return DocumentRecord.from_event(event, new)


def _safe_name(filename: str) -> str:
    """The file's own name, without any directory part (it is shown and used in archives)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "附件"


def export_case_file(svc: Services, reader: Actor, ref: str) -> tuple[bytes, str]:
    """卷宗: the case's archive and the manifest digest to keep elsewhere.

    Every stored file is checked against its recorded hash first: a case file is never
    exported with a swapped document in it.
    """
    notices = _notices(svc)
    now = svc.clock.now()
    with svc.uow() as uow:
        case = readable_case(svc, uow, reader, ref)
        _check_download(reader, case)
        versions = records.all_versions(case.events)
        cover_values = case.workflow.case_file_cover(case, uow, versions, now)
        if cover_values is None:
            raise InvalidInput(f"{case.workflow.case_type.label}没有电子卷宗可导出")
        names = {}
        for username in {e.actor for e in case.events}:
            try:
                names[username] = uow.repo.actor(username).name
            except NotFound:
                names[username] = username
        agency = uow.repo.agency(case.agency_code)
        cover_template = notices.templates.pick(COVER_KIND, agency.code, notices.uploaded(uow))
    findings = records.file_findings(ref, case.events, _store(svc))
    if findings:
        raise GovflowError("；".join(f.message for f in findings) + "（请先运行 audit verify）")
    documents = [(r, _store(svc).get(r.sha256)) for r in versions]
    entries = timeline(case, case.events, svc.calendar, names, reveal=True)
    cover = notices.templates.render(cover_template, dict(cover_values))
    return casefile.build(
        casefile.CaseFileInput(
            ref=ref,
            agency=agency.name,
            exported_at=now,
            exported_by=reader.username,
            events=case.events,
            cover=cover,
            timeline=casefile.timeline_document(ref, case.workflow.case_type.label, entries),
            documents=documents,
        )
    )


def check_case_file(archive: bytes, digest: str | None = None) -> casefile.CheckResult:
    """An exported case file checked without the database: files against the manifest, the
    manifest against its digest, the events' hash chain (N-2)."""
    return casefile.check(archive, digest)
