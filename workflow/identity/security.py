"""The security log's entries (等保 2.0: an audit of security events): who changed which
account, session or token, through which channel. Built here so the account use cases
and the organisation import write the same shape; never a password, token or session id.

Every action the log records is a ``SecurityAction``, each with the words a person reads
for it (``SECURITY_ACTION_LABELS``): the stored code stays what scripts read (``--json``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from govflow.workflow.actors import Actor
from govflow.workflow.identity.ports import Account, SecurityEntry


class SecurityAction(StrEnum):
    """What a security-log entry records (its ``action``: the code stored and exported)."""

    ADMIN_BOOTSTRAPPED = "admin_bootstrapped"
    USER_ADDED = "user_added"
    USER_CHANGED = "user_changed"  # by the organisation file's import
    USER_LOCKED = "user_locked"
    USER_UNLOCKED = "user_unlocked"
    USER_DEACTIVATED = "user_deactivated"
    USER_ACTIVATED = "user_activated"
    PASSWORD_SET = "password_set"  # by an administrator
    PASSWORD_CHANGED = "password_changed"  # by the user
    SESSIONS_ENDED = "sessions_ended"  # 强制下线
    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    AGENCY_ADDED = "agency_added"
    TEMPLATE_UPLOADED = "template_uploaded"
    TEMPLATE_REMOVED = "template_removed"
    CALENDAR_IMPORTED = "calendar_imported"


SECURITY_ACTION_LABELS: dict[SecurityAction, str] = {
    SecurityAction.ADMIN_BOOTSTRAPPED: "创建首个系统管理员",
    SecurityAction.USER_ADDED: "新增用户",
    SecurityAction.USER_CHANGED: "修改用户",
    SecurityAction.USER_LOCKED: "锁定账户",
    SecurityAction.USER_UNLOCKED: "解锁账户",
    SecurityAction.USER_DEACTIVATED: "停用账户",
    SecurityAction.USER_ACTIVATED: "恢复账户",
    SecurityAction.PASSWORD_SET: "设置密码",
    SecurityAction.PASSWORD_CHANGED: "本人修改密码",
    SecurityAction.SESSIONS_ENDED: "强制下线",
    SecurityAction.LOGOUT: "退出登录",
    SecurityAction.LOGOUT_EVERYWHERE: "退出全部登录",
    SecurityAction.TOKEN_CREATED: "创建 API 令牌",
    SecurityAction.TOKEN_REVOKED: "吊销 API 令牌",
    SecurityAction.AGENCY_ADDED: "新增机关",
    SecurityAction.TEMPLATE_UPLOADED: "上传告知书模板",
    SecurityAction.TEMPLATE_REMOVED: "删除告知书模板",
    SecurityAction.CALENDAR_IMPORTED: "导入日历文件",
}

AGENCY_TARGETS = frozenset({SecurityAction.AGENCY_ADDED})
"""The actions whose target is an agency's code; the others' is a username or, for a
template or a calendar file, the file as recorded (``notice_template:…``, ``calendar:…``)."""


def security_action_label(code: str) -> str:
    """The action's words (a code this version does not know: as it was recorded)."""
    try:
        return SECURITY_ACTION_LABELS[SecurityAction(code)]
    except ValueError:
        return code


def security_entry(
    now: datetime, by: Actor, action: SecurityAction, target: Account, **detail: Any
) -> SecurityEntry:
    return SecurityEntry(
        at=now,
        actor=by.username,
        channel=by.channel or "system",
        action=action,
        target=target.username,
        agency_code=target.agency_code,
        detail=detail,
    )
