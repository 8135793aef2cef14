"""The base of every action's input model, whatever its case type: the disclosure actions',
the incidents' and every declared type's (``declared.payload_model``).

Unknown fields are refused and a validated input never changes. And a number is a number:
pydantic, lax so that the CLI's ``--set days=5`` (text) counts as 5, also takes JSON
``true`` for 1 — ``{"days": true}`` extended a reply limit by a day. A yes/no is refused
wherever a number is asked for, with pydantic's own error (``应为整数`` / ``应为数字``),
so the message names the field as every other input error does.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_or_no_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, bool) or info.field_name is None:
            return value  # the common case, decided at once
        kinds = _leaves(cls.model_fields[info.field_name].annotation)
        if bool in kinds:
            return value  # a field that does take yes or no
        if int in kinds:
            raise PydanticCustomError("int_type", "Input should be a valid integer")
        if float in kinds:
            raise PydanticCustomError("float_type", "Input should be a valid number")
        return value


def _leaves(annotation: Any) -> set[Any]:
    """The plain types an annotation admits (``Annotated`` and unions opened; a ``Literal``
    of a yes/no counts as ``bool``)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return _leaves(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return set().union(*(_leaves(a) for a in args))
    if origin is Literal:
        return {bool} if any(isinstance(a, bool) for a in args) else set()
    return {annotation}
