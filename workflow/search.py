"""What a case can be found by besides its number (issue 11: the lists' ``text`` and
``channel`` filters).

A case type names the fields of its creation input a person searches by — a request's
description and applicant, an incident's title and summary, a letter's title and writer —
and the field that says how the case arrived (a request's 渠道, an incident's platform).
The case row keeps them as two lower-cased texts, written when the creation event is:
``text`` any reader of the case may search; ``personal`` (the fields the type masks as
personal data) only the staff of the case's agency, who see them unmasked anyway — so a
search never tells a masked reader whose request it is (seed 004 item 37).

Only the creation input is indexed: these are the fields a case is registered with and
known by; what later actions record is read on the case page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 4000  # characters kept per text: enough to find a case, bounded per row


@dataclass(frozen=True)
class SearchFields:
    """A type's searchable creation fields, by path (``applicant.name``), and its channel."""

    paths: tuple[str, ...] = ()
    channel: str | None = None


@dataclass(frozen=True)
class CaseIndex:
    """What the case row stores for searching (see the module docstring)."""

    channel: str | None = None
    text: str = ""
    personal: str = ""


def value_at(payload: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of an input, or None."""
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def index_of(
    fields: SearchFields, personal: frozenset[str], payload: Mapping[str, Any]
) -> CaseIndex:
    """The index of a case opened with ``payload``; ``personal``: the type's masked paths."""
    public: list[str] = []
    private: list[str] = []
    for path in fields.paths:
        value = value_at(payload, path)
        if value is None or value == "":
            continue
        (private if path in personal else public).append(str(value))
    channel = value_at(payload, fields.channel) if fields.channel else None
    return CaseIndex(
        channel=str(channel)[:32] if channel not in (None, "") else None,
        text=normalised("\n".join(public))[:MAX_TEXT],
        personal=normalised("\n".join(private))[:MAX_TEXT],
    )


def normalised(text: str) -> str:
    """Stored and searched alike: lower case (Latin letters), no surrounding blanks."""
    return text.strip().lower()
