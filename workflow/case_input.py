"""An action's input, validated before anything changes: text that is text, dates that
are dates and lawful (``workflow.lawful``), then the action's payload model; refusals in
zh-CN naming each field by its Chinese name.

Apart from ``cases`` because it reads only the type's contract, never the case: the
aggregate calls it first in ``Case.act`` (and a service, before opening a case).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from govflow.workflow import lawful
from govflow.workflow.contract import COMMON_FIELD_LABELS, Workflow
from govflow.workflow.errors import ActionNotAllowed, InvalidInput
from govflow.workflow.validation import field_messages, zh_errors


def parse_input(workflow: Workflow, action: str, raw: dict[str, Any], today_iso: str) -> Any:
    """The action's input, validated: text that is text, dates that are dates and lawful
    (``workflow.lawful``), then the payload model; zh-CN messages naming the field."""
    model = workflow.payloads.get(action)
    if model is None:
        raise ActionNotAllowed(f"未知动作 {action!r}")
    data = dict(raw)
    date_field = workflow.date_defaults.get(action)
    if date_field and data.get(date_field) is None:
        data[date_field] = today_iso
    labels = workflow.case_type.field_labels
    lawful.check_text(data)
    lawful.check_date_types(model, data, labels)
    try:
        payload = model.model_validate(data, context=workflow.payload_context)
    except ValidationError as exc:
        raise InvalidInput(
            _validation_message(workflow, action, exc),
            field_messages(exc.errors(), values=workflow.labels.values),
        ) from None
    lawful.check_date_range(payload, labels, date.fromisoformat(today_iso))
    return payload


def _validation_message(workflow: Workflow, action: str, exc: ValidationError) -> str:
    """``“发出收费通知”的输入有误：信息处理费（元） amount：不能小于 1`` — the action and
    each field by its Chinese name, the field's code beside it for ``--set``."""
    spec = workflow.case_type.actions.get(action)
    names = _field_names(workflow)
    problems = "；".join(
        f"{lawful.label(where, names)}：{text}"
        for where, text in zh_errors(exc.errors(), values=workflow.labels.values)
    )
    return f"“{spec.label if spec else action}”的输入有误：{problems}"


def _field_names(workflow: Workflow) -> dict[str, str]:
    """Every input field's Chinese name the type declares or labels (``applicant.name`` too)."""
    return {**COMMON_FIELD_LABELS, **workflow.case_type.field_labels, **workflow.labels.fields}
