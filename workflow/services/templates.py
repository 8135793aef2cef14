"""Notice templates uploaded by an administrator (issue 13 item 1): for one agency or for
every agency, checked exactly as a template file is (``check_template``: the placeholders
its kind allows, the syntax) before anything is stored, kept in the database, each change
in the security log. Removing an upload goes back to the next template in the lookup order
(the agency's directory, the installation's, the shipped one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import structlog

from govflow.workflow.actors import Actor, Role
from govflow.workflow.errors import (
    Conflict,
    GovflowError,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from govflow.workflow.identity.acting import acting_actor
from govflow.workflow.identity.ports import SecurityEntry
from govflow.workflow.identity.principal import Principal
from govflow.workflow.identity.security import SecurityAction
from govflow.workflow.notices.issue import Notices
from govflow.workflow.notices.templates import COVER_KIND, check_template
from govflow.workflow.notices.uploads import TemplateUploads, UploadedTemplate
from govflow.workflow.ports import UnitOfWork
from govflow.workflow.services.base import Services

log = structlog.get_logger(__name__)

MAX_BYTES = 10 * 1024 * 1024
STORE_ATTEMPTS = 5
"""How often an upload is stored before a lost race is reported: each attempt that loses
sees the winner's row on the next and replaces it, so a second one is almost always enough."""
DOCX_MAGIC = b"PK\x03\x04"
COVER_TITLE = "案卷封面"


@dataclass(frozen=True)
class TemplateUpload:
    kind: str
    content: bytes
    agency: str | None = None  # None: every agency of the installation
    filename: str | None = None


def _notices(svc: Services) -> Notices:
    if svc.notices is None:
        raise GovflowError("未配置告知书模板")
    return svc.notices


def _require_admin(uow: UnitOfWork, by: Principal) -> Actor:
    if by.scope is not None:
        raise NotPermitted("API 令牌不能管理告知书模板")
    actor = acting_actor(uow.repo, by)
    if not (by.is_system or actor.has_role(Role.ADMIN)):
        raise NotPermitted(f"{actor.name} 不是系统管理员，不能管理告知书模板")
    return actor


def _uploads(uow: UnitOfWork) -> TemplateUploads:
    return uow.store(TemplateUploads)  # type: ignore[type-abstract]


def _kind(notices: Notices, kind: str) -> str:
    if kind not in notices.templates.files:
        titles = _kind_titles(notices)
        known = "、".join(f"{code}（{titles[code]}）" for code in sorted(notices.templates.files))
        raise InvalidInput(f"没有告知书种类 {kind!r}；可用：{known}")
    return kind


def _kind_titles(notices: Notices) -> dict[str, str]:
    """Each kind of template by the title it prints (the case file's cover has no kind in
    the catalog: it is no notice)."""
    return {
        **{code: kind.title for code, kind in notices.catalog.kinds.items()},
        COVER_KIND: COVER_TITLE,
    }


@dataclass(frozen=True)
class TemplateWords:
    """What a person reads for an upload's codes: its kind's title, its agency's name and
    its uploader's name (a code no longer known is shown as it is)."""

    kinds: dict[str, str]
    agencies: dict[str, str]
    people: dict[str, str]

    def kind(self, code: str) -> str:
        return self.kinds.get(code, code)

    def agency(self, code: str | None) -> str:
        return "全部机关" if code is None else self.agencies.get(code, code)

    def person(self, username: str) -> str:
        name = self.people.get(username)
        return f"{name}（{username}）" if name else username


def template_words(svc: Services, by: Principal, usernames: Iterable[str] = ()) -> TemplateWords:
    """The names an administrator's list or message shows beside the uploads' codes."""
    notices = _notices(svc)
    with svc.uow() as uow:
        _require_admin(uow, by)
        agencies = {a.code: a.name for a in uow.repo.agencies()}
        people = uow.repo.names(usernames)
    return TemplateWords(_kind_titles(notices), agencies, people)


def _place(upload: TemplateUpload, agency: str | None) -> str:
    """How a refusal names the uploaded file (zh-CN); ``agency``: its agency's name."""
    where = agency or "全部机关"
    name = f"“{upload.filename}”" if upload.filename else ""
    return f"上传的模板{name}（{upload.kind}，{where}）"


def _agency_name(uow: UnitOfWork, code: str) -> str:
    """The agency as a refusal names it: by name, or, one that does not exist, by the code
    that was given (``机关 nowhere``)."""
    try:
        return uow.repo.agency(code).name
    except NotFound:
        return f"机关 {code}"


def _log(
    uow: UnitOfWork, svc: Services, actor: Actor, action: SecurityAction, u: UploadedTemplate
) -> None:
    detail = {"kind": u.kind, "sha256": u.sha256, "size": u.size, "upload": u.id}
    if u.filename:
        detail["filename"] = u.filename
    uow.identity.record_security(
        SecurityEntry(
            at=svc.clock.now(),
            actor=actor.username,
            channel=actor.channel or "system",
            action=action,
            target=f"notice_template:{u.kind}"[:64],
            agency_code=u.agency_code,
            detail=detail,
        )
    )
    log.info(f"notices.{action}", actor=actor.username, kind=u.kind, agency=u.agency_code)


def upload_template(svc: Services, by: Principal, upload: TemplateUpload) -> UploadedTemplate:
    """Check, then store (replacing the agency's active upload of that kind). A template
    that fails the check is refused naming the file and the place; nothing is written."""
    notices = _notices(svc)
    with svc.uow() as uow:
        _require_admin(uow, by)  # refused before the file is even looked at
        kind = _kind(notices, upload.kind)
        # NotFound for an unknown agency; its name is how a refusal says where.
        agency = uow.repo.agency(upload.agency).name if upload.agency is not None else None
    place = _place(upload, agency)
    if not upload.content:
        raise InvalidInput(f"{place}：文件为空")
    if len(upload.content) > MAX_BYTES:
        raise InvalidInput(f"{place}：文件超过 {MAX_BYTES // (1024 * 1024)} MB")
    if not upload.content.startswith(DOCX_MAGIC):
        raise InvalidInput(f"{place}：不是 .docx 文件（Word 2007 及以后的格式）")
    check_template(upload.content, notices.templates.allowed(kind), place)
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            return _store(svc, by, upload, kind)
        except Conflict:
            # Another upload for the same agency and kind committed between our read of
            # the active row and our write (the unique index refused ours, or SQLite's
            # write lock moved on): nothing of ours was written. Last one in wins, as
            # when the two had come one after the other.
            if attempt == STORE_ATTEMPTS:
                raise
            log.info("notices.upload_retry", kind=kind, agency=upload.agency, attempt=attempt)
    raise AssertionError("unreachable")


def _store(svc: Services, by: Principal, upload: TemplateUpload, kind: str) -> UploadedTemplate:
    """One transaction: replace the active upload of (agency, kind) with this one."""
    with svc.uow() as uow:
        actor = _require_admin(uow, by)
        stored = _uploads(uow).add(
            upload.agency, kind, upload.content, upload.filename, actor.username, svc.clock.now()
        )
        _log(uow, svc, actor, SecurityAction.TEMPLATE_UPLOADED, stored)
        uow.commit()
    return stored


def remove_template(
    svc: Services, by: Principal, kind: str, agency: str | None = None
) -> UploadedTemplate:
    """Deactivate the active upload: the agency's notices go back to the next template."""
    notices = _notices(svc)
    with svc.uow() as uow:
        actor = _require_admin(uow, by)
        kind = _kind(notices, kind)
        removed = _uploads(uow).remove(agency, kind, actor.username, svc.clock.now())
        if removed is None:
            where = _agency_name(uow, agency) if agency else "全部机关"
            raise NotFound(f"没有为{where}上传的告知书模板 {kind}")
        _log(uow, svc, actor, SecurityAction.TEMPLATE_REMOVED, removed)
        uow.commit()
    return removed


def list_templates(
    svc: Services, by: Principal, include_inactive: bool = False
) -> list[UploadedTemplate]:
    """The uploads (never their bytes), oldest first."""
    with svc.uow() as uow:
        _require_admin(uow, by)
        return _uploads(uow).listing(include_inactive)
