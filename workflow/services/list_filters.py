"""A list's coded filters checked against the installation's case types: a state, channel
or outcome no type knows found nothing, silently, as if there were no such cases. Refused
instead, like an unknown type or agency, with the values there are and their Chinese names.

Shared code: the values come from each type's declaration (states) and labels (the coded
values of its channel field and of ``outcome``), never from a type named here. A type whose
channel is free text (an incident's platform) has no list: there, the channels its cases
in the reader's scope arrived by are the ones to find.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from govflow.workflow.contract import Workflow
from govflow.workflow.errors import InvalidInput

SHOWN = 40  # free-text channels listed in a refusal: enough to see what is there


def _refuse(field: str, name: str, value: str, known: Mapping[str, str]) -> InvalidInput:
    listed = "、".join(f"{code}（{label}）" if label else code for code, label in known.items())
    problem = f"没有{name} {value!r}（可选：{listed or '无'}）"
    return InvalidInput(problem, {field: problem})


def check_states(types: Sequence[Workflow], states: frozenset[str]) -> None:
    known: dict[str, str] = {}
    for wf in types:
        for code, label in wf.case_type.states.items():
            known.setdefault(code, label)
    for state in sorted(states - set(known)):
        raise _refuse("state", "状态", state, known)


def check_outcome(types: Sequence[Workflow], outcome: str | None) -> None:
    if outcome is None:
        return
    known = {c: lbl for wf in types for c, lbl in wf.labels.values.get("outcome", {}).items()}
    if outcome not in known:
        raise _refuse("outcome", "答复类型", outcome, known)


def check_channel(
    types: Sequence[Workflow],
    channel: str | None,
    stored: Callable[[Sequence[str]], list[str]],
) -> None:
    """``stored(types)``: the channels cases of those free-text types arrived by."""
    if not channel:
        return
    known: dict[str, str] = {}
    free_text: list[str] = []
    for wf in types:
        if wf.search.channel is None:
            continue
        coded = wf.labels.values.get(wf.search.channel)
        if coded:
            known.update(coded)
        else:
            free_text.append(wf.name)
    if channel in known:
        return
    if free_text:
        found = stored(free_text)
        if channel in found:
            return
        known.update({c: "" for c in found[:SHOWN]})
    raise _refuse("channel", "渠道", channel, known)
