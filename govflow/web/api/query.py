"""A query parameter given twice is refused unless its route takes a list (SPEC W-1).

FastAPI keeps the last of ``?year=2026&year=2025`` without a word, so a report answered
for 2025 to a caller who believes they asked for 2026 — the CLI refuses a single-valued
option given twice for the same reason. Which parameters a route takes as a list is read
once from the routes' own declarations (``state`` of the case list is repeatable).
"""

from __future__ import annotations

import types
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute

from govflow.workflow.errors import InvalidInput

_LISTS = (list, tuple, set, frozenset, Sequence)


def single_valued(routers: Iterable[APIRouter]) -> Callable[[Request], None]:
    """The dependency every route of ``routers`` takes: each repeated name must be one its
    route lists. Which those are is read here, once, from the routes' own parameters."""
    lists: dict[Any, frozenset[str]] = {
        route.endpoint: frozenset(
            field.alias
            for field in _query_fields(route.dependant)
            if _is_list(field.field_info.annotation)
        )
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    }

    def check(request: Request) -> None:
        names = Counter(name for name, _ in request.query_params.multi_items())
        repeated = [name for name, n in names.items() if n > 1]
        if not repeated:
            return  # the common case, decided at once
        allowed = lists.get(request.scope.get("endpoint"), frozenset())
        wrong = [name for name in repeated if name not in allowed]
        if wrong:
            raise InvalidInput(
                "；".join(f"查询参数 {name} 给了多次，只能给一次" for name in wrong),
                {f"query.{name}": "只能给一次" for name in wrong},
            )

    return check


def _query_fields(dependant: Any) -> Iterator[Any]:
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _query_fields(sub)


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_list(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    kind: Callable[..., Any] | None = origin or annotation
    # Text is a sequence too, of characters: not a list of values.
    return isinstance(kind, type) and issubclass(kind, _LISTS) and not issubclass(kind, str | bytes)
