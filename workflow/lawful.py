"""What every action's input must be before any rule looks at it (SPEC X-, issue 16 items 4–5).

Shared by every case type, declared ones included, and applied by ``Case.parse`` before
the payload model validates:

* **text is text**: no NUL character (PostgreSQL cannot store it, and nothing a person
  types contains one), no other control character but tab and line breaks (ESC, BEL, BS,
  a lone CR, DEL, the C1 range: pasted terminal sequences that would rewrite the screen of
  whoever reads the case later) and nothing that is not Unicode (a lone surrogate, which is
  how Python carries bytes that were not UTF-8); each field's length limit is in its
  action's schema (``max_length``);
* **a date is a date**: written ``YYYY-MM-DD`` (or a YAML date), never a number — pydantic
  would read ``0`` as 1970-01-01;
* **a date is lawful**: not before the first edition of the Regulations (2008-05-01), and
  no due date beyond ``HORIZON_DAYS`` from today. Whether a date may lie in the future, and
  which event it must not precede, is for each case type's rules (``not_future``,
  ``not_before`` here give them one wording).

Messages are zh-CN and name the field (its Chinese label where one is known), never the
value of a text field (it may be personal data); pydantic's own complaints are put in
Chinese by ``workflow.validation``.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator
from pydantic_core import PydanticCustomError

from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import InvalidInput

FIRST_EDITION = date(2008, 5, 1)
"""《中华人民共和国政府信息公开条例》 (2007) came into force: nothing here happened before it."""

HORIZON_DAYS = 366
"""How far ahead a due date may be set (another reply date under Art. 35, a supervision
letter's report-back instant): one year, and a day for a leap year."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
"""Control characters no one types into a form: C0 but tab, LF and a CR before LF; DEL; C1."""

DATE_LABELS = {
    "received_on": "申请送达日",
    "receipt_date": "收到申请之日",
    "notice_on": "补正通知日",
    "corrected_on": "补正日",
    "sent_on": "发出日",  # a consultation letter, a fee notice, a notice delivered
    "answered_on": "答复日",
    "notice_received_on": "收费通知送达日",
    "paid_on": "缴费日",
    "notified_on": "延期告知日",
    "due_date": "另行确定的答复期限",
    "replied_on": "答复日",
    "withdrawn_on": "撤回日",
    "filed_on": "复议或起诉日",
    "decided_on": "审结日",
    "detected_at": "监测发现时间",
    "published_at": "发布时间",
    "held_at": "发布会时间",
    "report_by": "报告时限",
    "received_at": "收函时间",
    "answered_at": "报送时间",
}


def label(field: str, labels: dict[str, str] | None = None) -> str:
    """``撤回日 withdrawn_on``: the Chinese name people know, and the name the input uses."""
    known = (labels or {}).get(field) or DATE_LABELS.get(field)
    return f"{known} {field}" if known else field


def refused(field: str, message: str) -> InvalidInput:
    """A refusal of one field's value: the message, and the field it is about (a form puts
    the message beside that input; the API returns it in ``fields``)."""
    return InvalidInput(message, fields={field: message})


# -- text ------------------------------------------------------------------------------------


def check_text(raw: dict[str, Any], where: str = "") -> None:
    """Every string in the input (nested too) is storable text."""
    for key, value in raw.items():
        _check_value(value, f"{where}{key}")


def _check_value(value: Any, where: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise refused(where, f"{label(where)} 含有空字符（NUL），不能保存；请删除后重试")
        control = _CONTROL.search(value)
        if control is not None:
            raise refused(
                where,
                f"{label(where)} 含有控制字符 U+{ord(control.group()[0]):04X}"
                f"（第 {control.start() + 1} 个字符），不能保存；请删除后重试",
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise refused(where, f"{label(where)} 不是有效的 UTF-8 文本") from None
    elif isinstance(value, dict):
        check_text(value, f"{where}.")
    elif isinstance(value, list | tuple):
        for item in value:
            _check_value(item, where)


# -- dates -----------------------------------------------------------------------------------


def check_date_types(model: type[BaseModel], raw: dict[str, Any], labels: dict[str, str]) -> None:
    """Date fields hold a date as text (``2025-09-01``) or a date, never a number."""
    for name, info in model.model_fields.items():
        value = raw.get(name)
        if value is None or isinstance(value, date):
            continue
        kind = _date_kind(info.annotation)
        if kind is None:
            continue
        if isinstance(value, bool | int | float) or not isinstance(value, str):
            shown = "数字" if isinstance(value, int | float) else type(value).__name__
            raise refused(name, f"{label(name, labels)} 应为日期（如 2025-09-01），实为{shown}")
        if kind is date and not _ISO_DATE.fullmatch(value.strip()):
            raise refused(name, f"{label(name, labels)} 应为日期 YYYY-MM-DD（如 2025-09-01）")


def _iso_date(value: Any) -> Any:
    """Before pydantic's lax parsing, which reads ``1764460800`` (or its text) as a Unix
    time and ``2025-09-01T00:00:00`` as a day: only a date, or its ``YYYY-MM-DD`` text."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        return value.strip()
    raise PydanticCustomError("date_type", "Input should be a valid date")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A date as every input gives one: ``2025-09-01``, never a number (the field of a model
validated before the domain sees the raw value, a query parameter)."""


def check_date_range(payload: BaseModel, labels: dict[str, str], today: date) -> None:
    """Every date of a validated payload: not before 2008-05-01, not beyond the horizon."""
    horizon = today + timedelta(days=HORIZON_DAYS)
    for name in type(payload).model_fields:
        value = getattr(payload, name)
        if not isinstance(value, date):
            continue
        day = value.astimezone(SHANGHAI).date() if isinstance(value, datetime) else value
        if day < FIRST_EDITION:
            raise refused(
                name,
                f"{label(name, labels)} {day.isoformat()} 早于《政府信息公开条例》施行之日 "
                f"{FIRST_EDITION.isoformat()}，不是有效日期",
            )
        if day > horizon:
            raise refused(
                name,
                f"{label(name, labels)} {day.isoformat()} 超出可设定的范围"
                f"（最迟为今天起 {HORIZON_DAYS} 日内，即 {horizon.isoformat()}）",
            )


def _date_kind(annotation: Any) -> type | None:
    """``date`` or ``datetime`` if the annotation is one (optional, annotated) or None."""
    if annotation in (date, datetime):
        return annotation  # type: ignore[no-any-return]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _date_kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            kind = _date_kind(arg)
            if kind is not None:
                return kind
    return None


def not_future(name: str, day: date, today: date) -> None:
    """A date that records something that happened cannot be after today."""
    if day > today:
        raise refused(name, f"{label(name)} {day.isoformat()} 晚于今天 {today.isoformat()}")


def not_before(name: str, day: date, other_label: str, other: date | None) -> None:
    """A date that follows an event cannot be before it."""
    if other is not None and day < other:
        raise refused(
            name, f"{label(name)} {day.isoformat()} 早于{other_label} {other.isoformat()}"
        )
