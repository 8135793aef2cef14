"""The security log's actions: each has words a person reads (the command line shows them
for the codes ``--json`` keeps), and every writer records one of them, never a bare string
that would have none (issues 11, 12)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from govflow.workflow.identity.security import (
    SECURITY_ACTION_LABELS,
    SecurityAction,
    security_action_label,
)

ROOT = Path(__file__).resolve().parents[2]

# Where a writer names the action: SecurityEntry(at, actor, channel, action, …) and
# security_entry(now, by, action, …), positionally or by keyword.
ACTION_ARGUMENT = {"SecurityEntry": 3, "security_entry": 2}


def test_every_action_has_chinese_words() -> None:
    assert set(SECURITY_ACTION_LABELS) == set(SecurityAction)
    for action, words in SECURITY_ACTION_LABELS.items():
        assert words and not words.isascii(), action
    assert security_action_label("user_deactivated") == "停用账户"
    assert security_action_label(SecurityAction.AGENCY_ADDED) == "新增机关"


def test_an_action_this_version_does_not_know_reads_as_recorded() -> None:
    assert security_action_label("something_older") == "something_older"


def _literal_actions(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name not in ACTION_ARGUMENT:
            continue
        given = [k.value for k in node.keywords if k.arg == "action"]
        if len(node.args) > ACTION_ARGUMENT[name]:
            given.append(node.args[ACTION_ARGUMENT[name]])
        for value in given:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                yield node.lineno, value.value


def test_writers_record_a_security_action_not_a_bare_string() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for folder in ("workflow", "models", "govflow")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, value in _literal_actions(ast.parse(path.read_text("utf-8")))
    ]
    assert not found, "use a SecurityAction (workflow/identity/security.py): " + str(found)


def test_the_guard_sees_a_bare_string() -> None:
    planted = ast.parse(
        "SecurityEntry(now, 'u', 'web', 'thing_done', 'u')\n"
        "security_entry(now, by, action='other_thing', target=a)\n"
        "SecurityEntry(now, 'u', 'web', SecurityAction.LOGOUT, 'u')\n"
    )
    assert [v for _, v in _literal_actions(planted)] == ["thing_done", "other_thing"]
