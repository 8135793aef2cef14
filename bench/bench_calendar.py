"""Benchmark: ``WorkingCalendar.add_working_days`` against a day-by-day count.

Why: every sweep recomputes every open deadline, so the arithmetic must not walk
days. The reference is ``chinese_calendar.find_workday``, which walks day by day.
Its semantics differ from ours: ``find_workday(k, d)`` first moves to the first
working day *on or after* ``d`` and then ``k`` working days further. "The N-th
working day strictly after D" (SPEC T-2) is therefore ``find_workday(N - 1, D + 1)``.

Every start day 2019-01-01 … 2026-12-31 is checked for identical answers; starts
whose 20th working day falls in 2027 are outside chinese_calendar's data and are
only checked to be provisional on our side.

Run: ``python bench/bench_calendar.py`` (from the repository root).
"""

from __future__ import annotations

import platform
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

N = 20
FIRST, LAST = date(2019, 1, 1), date(2026, 12, 31)


def _imports() -> tuple[Any, Any, Any]:
    root = Path(__file__).resolve().parents[1]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    import chinese_calendar

    from govflow.app import load_calendar
    from govflow.workflow.calendar import Pause

    return chinese_calendar, Pause, load_calendar


def _best_of(repeats: int, fn: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    chinese_calendar, pause_cls, load_calendar = _imports()
    t0 = time.perf_counter()
    cal = load_calendar()
    load_s = time.perf_counter() - t0

    starts = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
    one_day = timedelta(days=1)

    def ours() -> list[Any]:
        return [cal.add_working_days(d, N) for d in starts]

    def reference() -> list[date | None]:
        out: list[date | None] = []
        for d in starts:
            try:
                out.append(chinese_calendar.find_workday(N - 1, d + one_day))
            except NotImplementedError:  # the walk reached 2027: no data there
                out.append(None)
        return out

    ours_s, counts = _best_of(5, ours)
    ref_s, expected = _best_of(1, reference)

    compared = outside = 0
    for d, count, want in zip(starts, counts, expected, strict=True):
        if want is None:
            assert count.due_date.year == 2027 and count.provisional, d
            outside += 1
            continue
        assert count.due_date == want, (d, count.due_date, want)
        assert not count.provisional, d
        compared += 1

    pauses = [
        pause_cls(date(2025, 3, 10), date(2025, 3, 20)),
        pause_cls(date(2025, 4, 1), date(2025, 4, 8)),
    ]
    paused_s, _ = _best_of(
        5, lambda: [cal.add_working_days(date(2025, 3, 3), N, pauses) for _ in starts]
    )

    n = len(starts)
    ours_us, ref_us, paused_us = (ours_s / n * 1e6, ref_s / n * 1e6, paused_s / n * 1e6)
    print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    print(f"calendar load (8 YAML files + working-day array): {load_s * 1e3:.1f} ms")
    print(
        f"start days: {n} ({FIRST} … {LAST}); identical answers: {compared}; "
        f"reaching 2027 (ours provisional, no reference data): {outside}"
    )
    print(f"WorkingCalendar.add_working_days(d, {N}):      {ours_us:8.2f} µs/call (best of 5)")
    print(f"  … with 2 pauses:                          {paused_us:8.2f} µs/call (best of 5)")
    print(f"chinese_calendar.find_workday({N - 1}, d + 1):   {ref_us:8.2f} µs/call")
    print(f"speedup: {ref_us / ours_us:.0f}×")


if __name__ == "__main__":
    main()
