"""The bulk writer leaves the database exactly as the service layer does (issue #5 item 5).

The same seeded scripts are written twice into fresh databases of the same kind, once
one transaction per action and once in bulk, and every row of every table the cases
touch is compared, surrogate ids replaced by case references. Then across kinds:
SQLite and PostgreSQL hold the same rows, so the reports read the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from govflow.models.db import make_engine, migrate
from govflow.models.disclosure_tables import ChallengeRow, DisclosureRequestRow
from govflow.models.tables import (
    AgencyRow,
    CaseRow,
    DeadlineRow,
    EscalationPolicyRow,
    EscalationScheduleRow,
    EventRow,
    RefCounterRow,
)
from govflow.synth.generate import load_synthetic_org, write_cases
from govflow.synth.org import synthetic_org
from govflow.synth.plan import plan
from govflow.workflow.actors import SYSTEM
from govflow.workflow.integrity import verify_all
from tests.conftest import drop_pg_schema, pg_engine_in_fresh_schema
from tests.principals import acting

SEED, AGENCIES, PER_AGENCY = 20261122, 3, 40
START, END = date(2024, 11, 1), date(2025, 12, 31)


def scripts() -> Iterator[Any]:
    return plan(SEED, synthetic_org(SEED, AGENCIES), START, END, PER_AGENCY)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the cases wrote, ids replaced by references, sorted."""
    with engine.connect() as conn:
        refs = dict(conn.execute(select(CaseRow.id, CaseRow.ref)).all())
        codes = dict(conn.execute(select(AgencyRow.id, AgencyRow.code)).all())

        def rows(table: Any, **swap: dict[int, str]) -> list[tuple[Any, ...]]:
            cols = [c for c in table.__table__.columns if c.key != "id"]
            out = []
            for row in conn.execute(select(*cols)):
                values = dict(zip([c.key for c in cols], row, strict=True))
                for key, mapping in swap.items():
                    values[key] = mapping[values[key]]
                out.append(tuple(sorted(values.items(), key=lambda kv: kv[0])))
            return sorted(out, key=repr)

        return {
            "cases": rows(CaseRow, agency_id=codes),
            "requests": rows(DisclosureRequestRow, case_id=refs, agency_id=codes),
            "challenges": rows(ChallengeRow, case_id=refs, agency_id=codes),
            "events": rows(EventRow, case_id=refs),
            "deadlines": rows(DeadlineRow, case_id=refs),
            "schedule": rows(EscalationScheduleRow, case_id=refs),
            "policies": rows(EscalationPolicyRow),
            "counters": rows(RefCounterRow, agency_id=codes),
        }


@pytest.fixture
def fresh(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A factory of empty, migrated databases of the kind the test runs on."""
    made: list[tuple[Engine, str | None]] = []

    def make(kind: str) -> Engine:
        if kind == "sqlite":
            engine, schema = make_engine(f"sqlite:///{tmp_path / f'db{len(made)}.db'}"), None
        else:
            engine, schema = pg_engine_in_fresh_schema()
        migrate(engine)
        load_synthetic_org(engine, synthetic_org(SEED, AGENCIES))
        made.append((engine, schema))
        return engine

    yield make
    for engine, schema in made:
        engine.dispose()
        if schema is not None:
            drop_pg_schema(schema)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_bulk_equals_service_layer(fresh: Any, kind: str) -> None:
    by_service, in_bulk, half_and_half = fresh(kind), fresh(kind), fresh(kind)
    total = write_cases(by_service, scripts(), bulk=False)
    assert total == AGENCIES * PER_AGENCY
    assert write_cases(in_bulk, scripts(), bulk=True, batch=7) == total

    # Bulk on top of rows the service layer wrote: counters, ids and the applicants'
    # earlier requests are picked up from the database.
    stream = scripts()
    write_cases(half_and_half, islice(stream, total // 2), bulk=False)
    write_cases(half_and_half, stream, bulk=True, batch=1000)

    expected = snapshot(by_service)
    assert len(expected["events"]) > 3 * total
    assert snapshot(in_bulk) == expected
    assert snapshot(half_and_half) == expected


def test_sqlite_and_postgres_hold_the_same_rows(fresh: Any) -> None:
    sqlite, postgres = fresh("sqlite"), fresh("postgres")
    write_cases(sqlite, scripts(), bulk=True)
    write_cases(postgres, scripts(), bulk=True)
    assert snapshot(sqlite) == snapshot(postgres)


def test_bulk_data_verifies_and_the_service_layer_can_go_on(fresh: Any) -> None:
    """Rows written in bulk are real: chains verify, and new cases get fresh numbers and ids."""
    from govflow.app import build_services
    from govflow.workflow import services
    from govflow.workflow.clock import SHANGHAI, FakeClock

    engine = fresh("postgres")
    write_cases(engine, scripts(), bulk=True)
    checked, findings = verify_all(build_services(engine), SYSTEM)
    assert (checked, findings) == (AGENCIES * PER_AGENCY, [])

    from datetime import datetime

    org = synthetic_org(SEED, AGENCIES)
    clerk = next(u for u in org.users if u.role.value == "clerk")
    clock = FakeClock(datetime(2025, 12, 31, 10, tzinfo=SHANGHAI))
    svc = build_services(engine, clock)
    ref = services.register_request(
        svc,
        agency_code=clerk.agency,
        principal=acting(svc, clerk.username),
        intake={
            "applicant": {
                "kind": "natural_person",
                "name": "新申请人",
                "id_number": "610926199001011234",
                "phone": "13800000000",
            },
            "description": "年底新收申请",
            "channel": "in_person",
        },
    )
    with engine.connect() as conn:
        numbers = [r for (r,) in conn.execute(select(CaseRow.ref)) if r.startswith(ref[:-5])]
    assert ref == max(numbers)  # the counter went on after the bulk-written numbers
