"""A list's order, read along the stored sort columns, is the domain's order (both databases).

The case row stores what a list sorts by (``Case.queue_instants``); the list decides at the
instant it is read which limit orders each case (an optional limit only until it passes).
Here random offices are listed at random instants, whole and page by page, and the order
is held to the one ``Case.queue_deadline`` gives for the same instant.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow.workflow import services
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.errors import GovflowError
from tests.unit.test_disclosure_properties import _choose, _intake, _payload

READER = "zhang.head"  # the office head sees every case of the agency
END = datetime.max.replace(tzinfo=SHANGHAI)


def expected_order(flow, refs: list[str], now: datetime) -> list[str]:
    """The refs sorted as ``Case.queue_deadline`` orders them at ``now`` (registration order,
    which is id order, breaks ties; a case with no running limit comes last)."""

    def key(indexed: tuple[int, str]) -> tuple[datetime, int]:
        shown = flow.case(indexed[1]).queue_deadline(now)
        running = shown is not None and shown.is_running_at(now) and shown.due_at is not None
        return (shown.due_at if running else END, indexed[0])  # type: ignore[union-attr, return-value]

    return [ref for _, ref in sorted(enumerate(refs), key=key)]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30)))
def test_the_list_is_in_the_domains_order_at_any_instant(
    flow, data: st.DataObject, start: date
) -> None:
    flow.checking = False
    flow.clock.set(datetime.combine(start, time(9, 0), SHANGHAI))
    refs: list[str] = []
    for _ in range(data.draw(st.integers(3, 7), label="cases")):
        refs.append(flow.register(intake=_intake(data, local_date(flow.clock.now()))))
        for _ in range(data.draw(st.integers(0, 4), label="steps")):
            ref = data.draw(st.sampled_from(refs), label="case")
            flow.clock.advance(timedelta(hours=data.draw(st.integers(1, 60), label="hours")))
            case = flow.case(ref)
            action, actor = _choose(data, case)
            try:
                flow.act(
                    ref,
                    actor.username,
                    action,
                    **_payload(data, action, case, local_date(flow.clock.now())),
                )
            except GovflowError:
                pass
    mine = set(refs)  # the database outlives an example: earlier examples' cases are listed too
    reader = services.identify(flow.svc, READER)
    every = services.CaseFilter(open_only=False)  # closed cases too: they sort last
    for _ in range(3):  # read later and later: optional limits pass, obligations fall due
        flow.clock.advance(timedelta(days=data.draw(st.integers(0, 12), label="days later")))
        now = flow.clock.now()
        wanted = expected_order(flow, refs, now)
        whole = services.list_cases(flow.svc, reader, every, limit=500)
        assert [c.ref for c in whole.cases if c.ref in mine] == wanted
        size, after, paged = data.draw(st.integers(1, 3), label="page size"), None, []
        while True:
            page = services.list_cases(flow.svc, reader, every, after=after, limit=size)
            paged += [c.ref for c in page.cases if c.ref in mine]
            if (after := page.next_after) is None:
                break
        assert paged == wanted
