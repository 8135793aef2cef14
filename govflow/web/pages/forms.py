"""From a submitted form to an action's input, and back to the form with its errors.

The inputs are named by the dotted paths the action's model uses (``applicant.name``), so
the input is rebuilt as the nested mapping the service layer validates; a blank input is
left out (the model's default or its "required" message applies). A refusal comes back
as the same form with what was typed, each field's Chinese message beside it.

The engine names a field in a refusal by its label and the name its input takes (``撤回日
withdrawn_on``: what the command line's ``--set`` and the API's ``fields`` use); on the
page the input is the field itself, so the name is left out (``撤回日 2030-01-01 …``), or,
where a sentence names the field by its input alone, its label is put in its place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govflow.web.i18n import _, word
from govflow.workflow.services import ActionForm

CHECKED = "on"
SEPARATORS = re.compile(r"[,，、;；\n]")


def payload_of(form: ActionForm, submitted: Mapping[str, str]) -> dict[str, Any]:
    """The action's input from the submitted fields the form declares (others ignored)."""
    payload: dict[str, Any] = {}
    for f in form.fields:
        if f.fixed:  # not drawn: the model's default is the one value it takes
            continue
        if f.type == "object":  # present, even empty: each missing field is named by itself
            node = payload
            for part in f.name.split("."):
                node = node.setdefault(part, {})
            continue
        raw = submitted.get(f.name)
        if f.type == "boolean":
            value: Any = raw == CHECKED
        elif raw is None or not raw.strip():
            continue
        elif f.type == "array":  # one input, several values (配合部门): split where people do
            value = [part.strip() for part in SEPARATORS.split(raw) if part.strip()]
        else:
            value = raw
        node = payload
        *groups, leaf = f.name.split(".")
        for group in groups:
            node = node.setdefault(group, {})
        node[leaf] = value
    return payload


@dataclass(frozen=True)
class FormState:
    """A form as drawn: the values typed so far and the messages to show."""

    form: ActionForm
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)  # by field path
    message: str | None = None  # the refusal as a whole
    conflict: bool = False

    def error_for(self, name: str) -> str | None:
        """The message for a field; a group's message (``applicant``) shows on the group."""
        for where, text in self.errors.items():
            if where == name or where.removeprefix("body.") == name:
                return self.plain(text)
        return None

    @property
    def headline(self) -> str | None:
        """What the alert above the form says: when every message sits beside its field,
        a plain request to correct them (the engine's one-line summary names field paths)."""
        if self.errors and not self.unplaced and not self.conflict:
            return _("输入有误，请按各字段旁的提示更正（本次未保存）")
        return self.plain(self.message) if self.message else self.message

    @property
    def unplaced(self) -> list[str]:
        """Messages that name no input of the form (shown above it)."""
        names = {f.name for f in self.form.fields}
        return [f"{k}：{self.plain(v)}" for k, v in self.errors.items() if k not in names]

    def plain(self, text: str) -> str:
        """``text`` without the input names of this form's fields after their labels."""
        labels = {f.name.rsplit(".", 1)[-1]: f.label for f in self.form.fields}
        if not labels:
            return text
        names = "|".join(re.escape(n) for n in sorted(labels, key=len, reverse=True))

        def named(found: re.Match[str]) -> str:
            # Before more words, the input name stands for the field: its label instead.
            return f"“{word(labels[found[1]])}”" if found[2] else ""

        return re.sub(rf"(?<=[^\x00-\x7f]) ({names})(?![\w.])( (?=[^\x00-\x7f]))?", named, text)
