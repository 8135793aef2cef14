"""Event folds are an explicit table, checked against the declaration at start-up.

Each case type says which handler folds each declared action's event into its facts
(``FOLD``). A declared action without a handler, or a handler for an action the
declaration does not have (a misspelt name), stops start-up naming the type, the action
and the files — where a handler found by its name (``_on_{action}``) was silently
skipped before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from govflow import configs
from govflow.workflow.cases import DEADLINES_RECOMPUTED, Case
from govflow.workflow.contract import FoldTable, unchanged
from govflow.workflow.declaration import DeclarationError
from govflow.workflow.disclosure.facts import FOLD as DISCLOSURE_FOLD
from govflow.workflow.incident.facts import FOLD as INCIDENT_FOLD
from govflow.workflow.registry import load_workflow
from tests.config import calendar, config, sources, workflow

RULES_MODULE = '''
"""A rules module whose fold table was edited by hand: {edit}."""
from govflow.workflow.contract import FoldTable
from govflow.workflow.incident import conditions
from govflow.workflow.incident import workflow as incident_workflow
from govflow.workflow.incident.facts import FOLD, FOLD_TABLE


def workflow(case_type, sources, escalation):
    wf = incident_workflow(case_type, sources, escalation)
    handlers = dict(FOLD)
    {change}
    wf.fold = FoldTable(handlers, FOLD_TABLE.payloads, __file__)
    return wf
'''


def _declaration(tmp_path: Path, module: str) -> Path:
    raw = yaml.safe_load(configs.shipped("case_types", "incident.yaml").read_text("utf-8"))
    raw["rules"] = module
    path = tmp_path / "incident.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return path


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, change: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(RULES_MODULE.format(edit=name, change=change), "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return path


def test_every_shipped_type_has_one_handler_per_declared_action() -> None:
    for wf in config().case_types.values():
        assert set(wf.fold.handlers) == set(wf.case_type.actions), wf.name
    assert set(DISCLOSURE_FOLD) == set(workflow("disclosure_request").case_type.actions)
    assert set(INCIDENT_FOLD) == set(workflow("incident").case_type.actions)


def test_a_declared_action_without_a_handler_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _module(tmp_path, monkeypatch, "forgot_archive", 'del handlers["archive"]')
    declaration = _declaration(tmp_path, "forgot_archive")
    with pytest.raises(DeclarationError) as info:
        load_workflow(declaration, sources())
    message = str(info.value)
    assert message.startswith(f"{module}: ")
    assert "案件类型 incident" in message and str(declaration) in message
    assert "'archive' 没有折叠处理函数" in message


def test_a_handler_for_no_declared_action_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt handler name: once silently never called, now refused at start-up."""
    module = _module(
        tmp_path, monkeypatch, "misspelt", 'handlers["evalute"] = handlers.pop("evaluate")'
    )
    declaration = _declaration(tmp_path, "misspelt")
    with pytest.raises(DeclarationError) as info:
        load_workflow(declaration, sources())
    message = str(info.value)
    assert message.startswith(f"{module}: ")
    # The first problem named is the declared action left without its handler…
    assert "'evaluate' 没有折叠处理函数" in message and "incident" in message
    # …and the misspelt entry alone, once the action is handled, is named too.
    table = FoldTable({**INCIDENT_FOLD, "evalute": unchanged}, None, "rules.py")
    with pytest.raises(DeclarationError, match=r"^rules\.py: FOLD 表中的 'evalute' 不是案件类型 "):
        table.check(workflow("incident").case_type)


def test_the_fold_is_the_table_and_engine_events_change_no_facts() -> None:
    """Replay folds through the table; an event the engine records outside the type's
    actions (a recompute after a calendar update) is skipped, not an error."""
    wf = workflow("online_message")
    case = Case.opened(wf, "county", "示政办留言〔2025〕0001号")
    assert set(wf.fold.handlers) == {"register", "assign", "reply", "close"}
    facts = wf.new_facts()
    wf.apply(facts, DEADLINES_RECOMPUTED, {}, {"changes": {}}, _now())
    assert facts.values == {} and facts.deadlines == {}
    assert Case.replay(case, [], calendar()).deadlines == []


def _now():
    from datetime import datetime

    from govflow.workflow.clock import SHANGHAI

    return datetime(2025, 9, 30, 16, tzinfo=SHANGHAI)
