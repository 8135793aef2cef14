"""Cases as lists show them, restored once per stored row and calendar in a process.

An office's people list the same open cases again and again (the queue, the inbox, a
search), and each list restored every row from its stored facts: decode the text, build
the facts, recompute every deadline on the calendar (T-4: a schedule published since
counts). Under 20 people that was about a sixth of a server's CPU. Restoring is a
function of the row as stored (``CaseRecord``: its state, chain head and facts text) and
of the calendar, so its result is kept under exactly those: any event, any rewrite of the
facts, or a new calendar is another key, and the old entry is never seen again.

Only lists use it, and they only read what they get. An action always loads its case
afresh (``base.load_case``): a kept case must never be changed.
"""

from __future__ import annotations

from collections.abc import Callable

from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case, CaseRecord


class ListedCases:
    """``get(record, calendar, restore)``: the kept case, or ``restore()`` kept now.

    A plain dict, emptied when it outgrows ``size``: no lock for every row of every list.
    A kept case is about 12 KiB, so the default holds a county office's open cases (tens to
    hundreds) many times over in under 50 MB per server process."""

    def __init__(self, size: int = 4_000) -> None:
        self.size = size
        self._kept: dict[tuple[CaseRecord, WorkingCalendar], Case] = {}

    def get(
        self, record: CaseRecord, calendar: WorkingCalendar, restore: Callable[[], Case]
    ) -> Case:
        key = (record, calendar)
        found = self._kept.get(key)
        if found is None:
            found = restore()
            if len(self._kept) >= self.size:
                self._kept.clear()
            self._kept[key] = found
        return found
