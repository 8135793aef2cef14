"""Errors a user can act on. Each message says what is wrong and, where it helps, what is allowed.

Messages are zh-CN because clerks read them; the CLI prints them as they are and
maps each class to an exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class GovflowError(Exception):
    """Base class: an expected failure with a message meant for the person acting."""


class InvalidInput(GovflowError):
    """Malformed or missing data (a field, a date, an outcome code). Nothing was written.

    ``fields`` maps each faulty field's dotted path to its zh-CN message, so a form can put
    each message beside its own input (the message alone already names them all)."""

    def __init__(self, message: str = "", fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})


class ActionNotAllowed(GovflowError):
    """The action is not allowed in this state, for this role, or by a legal guard."""


class NotPermitted(ActionNotAllowed):
    """The person may not do this at all, whatever the case's state: the action is not for
    their role, the case is not their agency's, an API token's scope does not reach it.
    The CLI exits 3 as for any refusal; the HTTP API answers 403 (a rule's refusal: 422)."""


class NotFound(GovflowError):
    """No case, user or agency with that name."""


class Conflict(GovflowError):
    """Someone else changed the case first; reload and try again."""


class StaleVersion(Conflict):
    """The case is no longer at the version the caller read (``If-Match``): someone acted
    first. ``current`` is the version it is at now, so the caller can reload and decide."""

    def __init__(self, ref: str, current: int) -> None:
        self.ref, self.current = ref, current
        super().__init__(
            f"案件 {ref} 已被他人更新（当前版本 {current}），本次操作未保存，请刷新后重试"
        )


class ConfigurationError(InvalidInput):
    """A setting, an environment variable or a configuration file is wrong. The message names
    the variable or file, the place in it, and the problem; nothing was written."""


class DamagedHistory(GovflowError):
    """A case's stored events no longer parse: its history is damaged at ``position``."""

    def __init__(self, ref: str, position: int, cause: BaseException) -> None:
        self.ref, self.position = ref, position
        self.reason = type(cause).__name__
        super().__init__(
            f"案件 {ref} 的历史记录在第 {position} 条处损坏，无法读取"
            "（事件数据被改动；请运行 govflow audit verify 并从备份核实）"
        )


class DamagedDocument(GovflowError):
    """A stored file (a notice, an attachment) no longer hashes to what its event recorded:
    it was replaced or damaged, and is never handed out as if it were the document."""


class OpenFindings(GovflowError):
    """A report asked for agencies whose history ``audit verify`` found in doubt, and not
    allowed to be drawn anyway: its numbers could publish forged rows (exit code 1)."""


class NotAuthenticated(GovflowError):
    """No valid credentials: a wrong password, an unknown or expired token or session.
    The message never says which part was wrong where that would help a guesser."""


def allows(rule: Callable[..., Any], *args: Any) -> bool:
    """Whether ``rule`` (a guard, or the part of one no input changes) lets ``args`` through:
    raises no ``GovflowError``. What an action's ``possible`` asks of its refusals."""
    try:
        rule(*args)
    except GovflowError:
        return False
    return True
