"""A number is a number in every action's input (``workflow.payloads``): JSON ``true`` is
not 1 — ``{"days": true}`` once extended a reply limit by a day — while the CLI's text
(``--set days=5``) is still read as the number it spells."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from govflow.workflow.case_input import parse_input
from govflow.workflow.declaration import FieldSpec
from govflow.workflow.declared import payload_model
from govflow.workflow.errors import InvalidInput
from govflow.workflow.payloads import _leaves
from tests.config import config, workflow


def _integer_fields(model: type[BaseModel]) -> list[str]:
    return [n for n, f in model.model_fields.items() if int in _leaves(f.annotation)]


def _every_integer_field() -> list[tuple[str, str, str]]:
    found = [
        (name, action, field)
        for name, wf in config().case_types.items()
        for action, model in wf.payloads.items()
        for field in _integer_fields(model)
    ]
    assert {(n, a) for n, a, _ in found} >= {
        ("disclosure_request", "extend"),
        ("disclosure_request", "request_correction"),
        ("disclosure_request", "send_fee_notice"),
    }
    return found


@pytest.mark.parametrize(("case_type", "action", "field"), _every_integer_field())
def test_every_integer_field_of_every_type_refuses_a_yes_or_no(
    case_type: str, action: str, field: str
) -> None:
    model = workflow(case_type).payloads[action]
    for value in (True, False):
        with pytest.raises(ValidationError) as refused:
            model.model_validate({field: value})
        assert any(e["loc"] == (field,) and e["type"] == "int_type" for e in refused.value.errors())


def test_extend_says_in_chinese_which_field_wants_a_number() -> None:
    wf = workflow("disclosure_request")
    raw: dict[str, Any] = {"days": True, "reason": "x"}
    with pytest.raises(InvalidInput, match="days：应为整数") as refused:
        parse_input(wf, "extend", raw, "2025-10-09")
    assert refused.value.fields == {"days": "应为整数"}
    with pytest.raises(InvalidInput, match="period_days：应为整数"):
        parse_input(wf, "request_correction", {"items": "x", "period_days": True}, "2025-10-09")
    # Text from the command line is read as the number it spells, on purpose.
    assert parse_input(wf, "extend", {"days": "5", "reason": "x"}, "2025-10-09").days == 5


def test_a_declared_integer_refuses_a_yes_or_no_and_a_declared_yes_no_choice_keeps_it() -> None:
    """A declared type's own fields: an ``int`` (YAML ``true`` is a yes/no too), and a choice
    whose YAML values were read as yes/no, which must still take them."""
    model = payload_model(
        "letter",
        "rate",
        (
            FieldSpec("stars", "星级", "int", min=1, max=5),
            FieldSpec("agreed", "是否同意", "choice", choices=((True, "是"), (False, "否"))),  # type: ignore[arg-type]
        ),
    )
    with pytest.raises(ValidationError, match="int_type"):
        model.model_validate({"stars": True, "agreed": True})
    assert model.model_validate({"stars": "4", "agreed": False}).stars == 4  # type: ignore[attr-defined]
