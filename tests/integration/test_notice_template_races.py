"""At most one active notice template upload per (agency, kind), on SQLite and PostgreSQL:
administrators uploading for the same place at the same instant, in real threads with their
own connections, all succeed and exactly one upload (the last stored) stays active; the
database itself refuses a second active row (migration 0014), the service tries a lost
race again instead of failing, and the migration resolves duplicates made before it by
keeping the newest."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from govflow.models.db import alembic_config, migrate
from govflow.models.notice_templates import SqlTemplateUploads
from govflow.workflow.errors import Conflict
from govflow.workflow.identity.principal import Principal
from govflow.workflow.services import Services, TemplateUpload, bootstrap_admin, upload_template
from govflow.workflow.services import templates as template_service
from tests.integration.test_concurrency_pg import race
from tests.notice_template_files import with_line
from tests.principals import acting

THREADS = 6
TIGHT = 4  # racers in lockstep: one wins each attempt, and the service makes five
ROUNDS = 3
PLACES = [pytest.param("edu", id="agency"), pytest.param(None, id="every-agency")]


def rows(engine: Engine, agency: str | None) -> list[tuple[int, bool, str | None]]:
    """(id, active, removed_by) of the receipt uploads for ``agency``, oldest first."""
    where = "a.code = :code" if agency else "t.agency_id IS NULL"
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT t.id, t.active, t.removed_by FROM notice_templates t "
                "LEFT JOIN agencies a ON a.id = t.agency_id "
                f"WHERE t.kind = 'receipt' AND {where} ORDER BY t.id"
            ),
            {"code": agency},
        ).all()
    return [(r[0], bool(r[1]), r[2]) for r in found]


def uploads_logged(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM security_log WHERE action = 'template_uploaded'")
        ).scalar_one()


def racers(
    svc: Services, agency: str | None, round_: int, n: int = THREADS
) -> list[Callable[[], Any]]:
    bootstrap_admin(svc)
    boss = acting(svc, "admin")
    return [
        partial(
            upload_template,
            svc,
            boss,
            TemplateUpload(
                "receipt", with_line("receipt.docx", f"第{round_}轮第{i}份"), agency, f"{i}.docx"
            ),
        )
        for i in range(n)
    ]


def assert_one_active(engine: Engine, agency: str | None, results: list[Any], total: int) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], errors
    found = rows(engine, agency)
    assert len(found) == total
    active = [r for r in found if r[1]]
    assert len(active) == 1, found
    # The last one stored wins, as if they had come one after the other; every other was
    # replaced by someone, never left active or dropped.
    assert active[0][0] == found[-1][0] == max(r.id for r in results)
    assert all(removed == "admin" for _, on, removed in found if not on)


def counting_stores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per transaction the service tried to store an upload in."""
    tried: list[int] = []
    store = template_service._store

    def counted(*args: Any) -> Any:
        tried.append(1)
        return store(*args)

    monkeypatch.setattr(template_service, "_store", counted)
    return tried


@pytest.mark.parametrize("agency", PLACES)
def test_simultaneous_uploads_leave_exactly_one_active(
    svc: Services, engine: Engine, agency: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried = counting_stores(monkeypatch)
    for round_ in range(ROUNDS):
        results = race(racers(svc, agency, round_))
        assert_one_active(engine, agency, results, THREADS * (round_ + 1))
    assert uploads_logged(engine) == THREADS * ROUNDS
    assert len(tried) == THREADS * ROUNDS  # each waited its turn: none had to try again


@pytest.fixture
def tight(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every racer reads the active row at the same moment, and PostgreSQL's advisory lock
    is off: what is left to keep one upload active is the unique index and the retry."""
    gate = threading.Barrier(TIGHT)
    passed = threading.local()

    def all_at_once(self: SqlTemplateUploads, agency_id: int | None, kind: str) -> None:
        if not getattr(passed, "done", False):
            passed.done = True
            gate.wait(timeout=30)

    monkeypatch.setattr(SqlTemplateUploads, "_serialize", all_at_once)


@pytest.mark.parametrize("agency", PLACES)
def test_a_lost_race_is_tried_again_and_replaces_the_winner(
    svc: Services, engine: Engine, agency: str | None, tight: None, monkeypatch
) -> None:
    tried = counting_stores(monkeypatch)
    results = race(racers(svc, agency, 0, TIGHT))
    assert_one_active(engine, agency, results, TIGHT)
    assert uploads_logged(engine) == TIGHT
    assert len(tried) > TIGHT  # some did lose a race, and were not refused for it


def upload_receipts(svc: Services) -> Principal:
    """The administrator (created now) uploads a 登记回执 for ``edu`` and one for every
    agency; returns the administrator."""
    bootstrap_admin(svc)
    boss = acting(svc, "admin")
    for agency in ("edu", None):
        upload_template(
            svc, boss, TemplateUpload("receipt", with_line("receipt.docx", "一"), agency)
        )
    return boss


def test_the_database_refuses_a_second_active_upload(svc: Services, engine: Engine) -> None:
    boss = upload_receipts(svc)
    for agency in ("edu", None):
        copy = (
            "INSERT INTO notice_templates (agency_id, kind, sha256, size, content, filename, "
            "uploaded_by, uploaded_at, active) SELECT agency_id, kind, sha256, size, content, "
            "filename, uploaded_by, uploaded_at, {active} FROM notice_templates "
            "WHERE active AND kind = 'receipt' AND agency_id {where}"
        )
        where = "IS NOT NULL" if agency else "IS NULL"
        with engine.begin() as conn:  # an inactive copy is only history: allowed
            conn.execute(text(copy.format(active="false", where=where)))
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(copy.format(active="true", where=where)))
    # Another kind, or another agency, is another place.
    upload_template(
        svc, boss, TemplateUpload("extension", with_line("extension.docx", "二"), "edu")
    )
    upload_template(svc, boss, TemplateUpload("receipt", with_line("receipt.docx", "三"), "county"))


def test_a_race_lost_every_time_is_reported_as_a_conflict(svc: Services, monkeypatch) -> None:
    bootstrap_admin(svc)

    def always_lost(*args: Any) -> Any:
        raise Conflict("lost")

    monkeypatch.setattr(template_service, "_store", always_lost)
    with pytest.raises(Conflict):
        upload_template(
            svc,
            acting(svc, "admin"),
            TemplateUpload("receipt", with_line("receipt.docx", "一"), "edu"),
        )


def test_the_migration_keeps_the_newest_of_duplicates(svc: Services, engine: Engine) -> None:
    boss = upload_receipts(svc)
    upload_template(
        svc, boss, TemplateUpload("extension", with_line("extension.docx", "二"), "edu")
    )
    command.downgrade(alembic_config(engine), "0013")  # a database from before 0014 …
    later = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
    with engine.begin() as conn:  # … where two uploads at once both stayed active
        for n, by in enumerate(("sun.admin", "zhou.admin")):
            conn.execute(
                text(
                    "INSERT INTO notice_templates (agency_id, kind, sha256, size, content, "
                    "filename, uploaded_by, uploaded_at, active) SELECT agency_id, kind, "
                    "sha256, size, content, :name, :by, :at, true FROM notice_templates "
                    "WHERE kind = 'receipt' AND active AND filename IS NULL"
                ),
                {"name": f"dup{n}.docx", "by": by, "at": later},
            )
    before = {agency: rows(engine, agency) for agency in ("edu", None)}
    assert all(sum(on for _, on, _ in found) == 3 for found in before.values())
    migrate(engine)
    for agency, found in before.items():
        after = rows(engine, agency)
        assert [(i, on) for i, on, _ in after] == [
            (found[0][0], False),
            (found[1][0], False),
            (found[2][0], True),
        ]
        assert [by for _, _, by in after] == ["zhou.admin", "zhou.admin", None]
    with engine.connect() as conn:
        removed_at = (
            conn.execute(
                text(
                    "SELECT DISTINCT removed_at FROM notice_templates WHERE removed_by IS NOT NULL"
                )
            )
            .scalars()
            .all()
        )
        other = (
            conn.execute(text("SELECT active FROM notice_templates WHERE kind = 'extension'"))
            .scalars()
            .all()
        )
    assert len(removed_at) == 1 and other == [True]  # the time the newest was uploaded
