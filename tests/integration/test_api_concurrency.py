"""Two people acting on one case at the same moment over HTTP (SPEC section 8, W-1): one
wins, the other is told 409 with the version now; no event is lost or written twice.

A real uvicorn server on PostgreSQL; two HTTP clients read the same version and send their
action through a barrier, so both are in flight together. Repeated over several cases, so
that both ways of losing are exercised: the version already moved when the loser loaded
the case, or both loaded it and the database let only one write.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, text

from govflow.app import build_services
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.clock import FakeClock
from govflow.workflow.config import Config
from tests.api_support import ApiHarness, path, registration
from tests.principals import acting

ROUNDS = 12


@pytest.mark.postgres
def test_two_clients_acting_at_once_one_wins_one_gets_409(
    pg_engine: Engine, clock: FakeClock, calendar: WorkingCalendar, config: Config
) -> None:
    svc = build_services(pg_engine, clock, calendar, config)
    api = ApiHarness(svc, pg_engine)
    refs = [
        services.register_request(
            svc,
            agency_code="county",
            principal=acting(svc, "wang.clerk"),
            intake={**registration(description=f"第{i}份"), "received_on": "2025-09-22"},
        )
        for i in range(ROUNDS)
    ]
    with api.served() as base, ThreadPoolExecutor(2) as pool:
        clients = [httpx.Client(base_url=base, timeout=30) for _ in range(2)]
        people = ["li.handler", "zhang.head"]  # both may start the review
        for ref in refs:
            version = clients[0].get(path(ref), headers=api.headers("li.handler")).json()["version"]
            barrier = threading.Barrier(2)

            def send(
                i: int, ref: str = ref, version: int = version, barrier=barrier
            ) -> httpx.Response:
                barrier.wait()
                return clients[i].post(
                    path(ref, "actions", "start_review"),
                    headers={**api.headers(people[i]), "If-Match": f'"{version}"'},
                )

            answers = list(pool.map(send, range(2)))
            codes = sorted(a.status_code for a in answers)
            assert codes == [200, 409], [a.text for a in answers]
            loser = next(a for a in answers if a.status_code == 409)
            assert loser.json()["error"] == "conflict"
            assert loser.headers["ETag"] == f'"{version + 1}"'
            with pg_engine.connect() as conn:
                seqs = (
                    conn.execute(
                        text(
                            "SELECT e.seq FROM events e JOIN cases c ON c.id = e.case_id "
                            "WHERE c.ref = :r ORDER BY e.seq"
                        ),
                        {"r": ref},
                    )
                    .scalars()
                    .all()
                )
            assert seqs == list(range(1, version + 2))  # one new event, none lost or doubled
        for client in clients:
            client.close()
    checked, findings = services.verify_all(svc, SYSTEM)
    assert (checked, findings) == (ROUNDS, [])
