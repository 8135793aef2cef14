"""Who may read what (SPEC section 1, U-2), and how personal data is masked (seed 004 item 37).

Read scope: a user reads the cases of their own agency; a supervisor reads their agency's
and those of every agency below it (through an API token issued without
``include_children``: that agency's alone); the system reads everything. Every reading use case
asks ``ReadScope`` before it shows a case, a list, a history or a report, and a reader
outside the scope gets the same "not found or not permitted" answer as a case that does
not exist, so nothing tells whether it does.

Masking: identity and contact data is shown in full only to the staff working the case's
agency (clerk, handler, office head), and to them through an API token only if the token
was issued with ``personal_data``; everyone else — a supervisor included — sees it
masked, in every view and export, and may not download the notices that print it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from govflow.workflow.actors import Actor, Role
from govflow.workflow.errors import NotFound

STAFF = (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD)


def case_not_found(ref: str) -> NotFound:
    """The one answer for a case that does not exist and one the reader may not read."""
    return NotFound(f"没有编号为 {ref} 的案件，或您无权查看")


def agency_not_found(code: str) -> NotFound:
    return NotFound(f"没有代码为 {code!r} 的机关，或您无权查看其案件")


@dataclass(frozen=True)
class ReadScope:
    """The agencies (by code) whose cases ``reader`` may read; ``None``: every agency."""

    reader: Actor
    agencies: frozenset[str] | None

    def covers(self, agency_code: str) -> bool:
        return self.agencies is None or agency_code in self.agencies

    def narrowed(
        self, agency_code: str | None, include_children: bool, tree: Mapping[str, str | None]
    ) -> frozenset[str] | None:
        """The agencies a reading asked for (an agency, with those below it if asked),
        all of which the reader must be allowed; without an agency, all the reader may read.
        ``tree`` maps each agency's code to its parent's."""
        if agency_code is None:
            return self.agencies
        if agency_code not in tree:
            raise agency_not_found(agency_code)
        asked = below(agency_code, tree) if include_children else frozenset({agency_code})
        if not all(self.covers(code) for code in asked):
            raise agency_not_found(agency_code)
        return asked


def below(root: str, tree: Mapping[str, str | None]) -> frozenset[str]:
    """``root`` and every agency under it."""
    children: dict[str | None, list[str]] = {}
    for code, parent in tree.items():
        children.setdefault(parent, []).append(code)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def read_scope(reader: Actor, tree: Mapping[str, str | None] | None = None) -> ReadScope:
    """The reader's scope; a supervisor's needs the agency tree (code → parent code)."""
    if reader.role is Role.SYSTEM:
        return ReadScope(reader, None)
    if reader.agency_code is None:
        return ReadScope(reader, frozenset())
    if reaches_below(reader):
        if tree is None:
            raise ValueError("a supervisor's scope needs the agency tree")
        return ReadScope(reader, below(reader.agency_code, tree))
    return ReadScope(reader, frozenset({reader.agency_code}))


def reaches_below(reader: Actor) -> bool:
    """Whether the reader reads the agencies below their own too: a supervisor does, unless
    reading through an API token issued without ``include_children`` (that agency alone)."""
    return reader.has_role(Role.SUPERVISOR) and reader.reads_below


def needs_tree(reader: Actor) -> bool:
    """Whether ``read_scope`` needs the agency tree for this reader (a query spared if not)."""
    return reaches_below(reader)


def may_see_personal_data(reader: Actor, agency_code: str) -> bool:
    """Only the staff working the case's agency see identity and contact data unmasked,
    and through an API token only one issued with ``personal_data`` (least privilege: an
    integration that pushes requests is no door to every applicant's identity). Every
    view, list, search, timeline, export and download asks here, and nowhere else."""
    return (
        reader.reads_personal_data and reader.has_role(*STAFF) and reader.agency_code == agency_code
    )


def mask(value: str | None) -> str | None:
    """``610926199001011234`` → ``610*************34``: the ends kept to tell records apart."""
    if not value:
        return value
    if len(value) <= 4:
        return "*" * len(value)
    keep = 3 if len(value) > 8 else 1
    return value[:keep] + "*" * (len(value) - keep - 2) + value[-2:]


def mask_name(name: str) -> str:
    return mask(name) or "" if len(name) > 1 else "*"


def codes(agencies: Iterable[str]) -> str:
    return "、".join(sorted(agencies))
