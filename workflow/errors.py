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
