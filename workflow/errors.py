"""Errors a user can act on. Each message says what is wrong and, where it helps, what is allowed.

Messages are zh-CN because clerks read them; the CLI prints them as they are and
maps each class to an exit code.
"""

from __future__ import annotations


class GovflowError(Exception):
    """Base class: an expected failure with a message meant for the person acting."""


class InvalidInput(GovflowError):
    """Malformed or missing data (a field, a date, an outcome code). Nothing was written."""


class ActionNotAllowed(GovflowError):
    """The action is not allowed in this state, for this role, or by a legal guard."""


class NotFound(GovflowError):
    """No case, user or agency with that name."""


class Conflict(GovflowError):
    """Someone else changed the case first; reload and try again."""


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


class OpenFindings(GovflowError):
    """A report asked for agencies whose history ``audit verify`` found in doubt, and not
    allowed to be drawn anyway: its numbers could publish forged rows (exit code 1)."""


class NotAuthenticated(GovflowError):
    """No valid credentials: a wrong password, an unknown or expired token or session.
    The message never says which part was wrong where that would help a guesser."""
