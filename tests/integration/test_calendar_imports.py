"""Issue 10: the working-day calendar lives in the database, on SQLite and PostgreSQL.

``govflow init`` seeds it (``seed_calendar``: each text once); an administrator imports a
file (``import_calendar``): checked whole, nothing written on bad input or by anyone else,
an audited ``calendar_imported`` entry, the open deadlines recomputed with a change
report; the same text again changes nothing. Every process builds its calendar from the
database, and a long-running one notices a new import (``CalendarWatch``).

The 2027 schedule below is a test-only invention, not the State Council's notice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text

from govflow import configs
from govflow.app import build_services, database_calendar
from govflow.workflow import services
from govflow.workflow.errors import InvalidInput, NotPermitted

TEST_2027 = """\
# 仅供测试的假设安排，并非国务院办公厅通知
year: 2027
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {date: 2027-01-04, name: 测试假日}
  - {date: 2027-01-05, name: 测试假日}
makeup_workdays:
  - {date: 2027-01-09, name: 测试调休}
"""


def shipped_files() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(configs.shipped("calendar").glob("*.yaml"))]


def rows(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(text(f"SELECT count(*) FROM {table}"))


def admin_principal(svc):
    username, _ = services.bootstrap_admin(svc)
    return services.principal_for(svc, username, "cli:test")


def test_an_administrator_imports_a_year_and_the_open_limits_follow(flow, engine) -> None:
    svc = flow.svc
    assert len(services.seed_calendar(svc, shipped_files())) == 19
    assert services.seed_calendar(svc, shipped_files()) == []  # each text once
    admin = admin_principal(svc)

    flow.at("2026-12-18 10:00")
    ref = flow.register()
    assert (flow.due(ref), flow.deadline(ref).provisional) == (date(2027, 1, 15), True)
    before = (rows(engine, "calendar_imports"), rows(engine, "security_log"), flow.footprint())

    # Anyone else, or a bad file: refused, nothing written.
    clerk = services.principal_for(svc, "wang.clerk", "cli:test")
    with pytest.raises(NotPermitted, match="不是系统管理员"):
        services.import_calendar(svc, clerk, "2027.yaml", TEST_2027)
    bad = TEST_2027.replace("2027-01-09", "2027-01-05")  # both a holiday and a working day
    with pytest.raises(InvalidInput, match=r"2027\.yaml: 2027-01-05 既是放假日又是调休上班日"):
        services.import_calendar(svc, admin, "2027.yaml", bad)
    after = (rows(engine, "calendar_imports"), rows(engine, "security_log"), flow.footprint())
    assert after == before

    seen: list[tuple[int, int]] = []
    done = services.import_calendar(
        svc, admin, "2027.yaml", TEST_2027, progress=lambda n, total: seen.append((n, total))
    )
    change = {
        "reply": {
            "from": "2027-01-15",
            "to": "2027-01-19",
            "provisional": False,
            "label": "答复期限",
        }
    }
    assert (done.unchanged, done.kind, done.year, done.checked) == (False, "year", 2027, 1)
    assert done.changes == [(ref, change)] and seen == [(1, 1)]
    # From now on the services count on the database's calendar, as every process does.
    flow.svc = replace(svc, calendar=database_calendar(engine)[0])
    assert (flow.due(ref), flow.deadline(ref).provisional) == (date(2027, 1, 19), False)
    event = flow.case(ref).events[-1]
    assert event.action == "deadlines_recomputed"
    assert event.data["derived"]["reason"].startswith("导入日历 2027.yaml")
    with engine.connect() as connection:
        logged = connection.execute(
            text("SELECT actor, action, target FROM security_log ORDER BY id DESC LIMIT 1")
        ).one()
    assert tuple(logged) == (admin.username, "calendar_imported", "calendar:2027.yaml")

    # The same text again: nothing written, and it says so.
    footprint = (rows(engine, "calendar_imports"), rows(engine, "security_log"), flow.footprint())
    again = services.import_calendar(svc, admin, "2027.yaml", TEST_2027.encode("utf-8"))
    assert again.unchanged and again.import_id is None and again.changes == []
    assert footprint == (
        rows(engine, "calendar_imports"),
        rows(engine, "security_log"),
        flow.footprint(),
    )

    # Another process, started now, counts on the database's calendar.
    calendar, version = database_calendar(engine)
    assert 2027 in calendar.known_years and version == done.import_id
    other = build_services(engine, flow.clock, config=svc.config, files=svc.files)
    assert 2027 in other.calendar.known_years
    assert services.recompute_open_deadlines(other) == []  # nothing left to move
    # On the files alone (the old way) the limit would move back: recompute --all records it.
    on_files = svc  # the calendar of the shipped files, 2027 unknown
    back = services.recompute_open_deadlines(on_files)
    moved = {"from": "2027-01-19", "to": "2027-01-15", "provisional": True, "label": "答复期限"}
    assert back == [(ref, {"reply": moved})]


def test_a_long_running_process_notices_a_new_calendar(flow, engine) -> None:
    services.seed_calendar(flow.svc, shipped_files())
    running = build_services(engine, flow.clock, config=flow.svc.config, files=flow.svc.files)
    assert 2027 not in running.calendar.known_years and running.calendar_version == 19
    ticks = [0.0]
    watch = services.CalendarWatch(running, monotonic=lambda: ticks[0])
    assert watch.interval == 30
    assert watch.current() is running  # nothing new: the same services

    services.import_calendar(flow.svc, admin_principal(flow.svc), "2027.yaml", TEST_2027)
    ticks[0] = 29.0
    assert 2027 not in watch.current().calendar.known_years  # not checked again yet
    ticks[0] = 30.5
    current = watch.current()
    assert 2027 in current.calendar.known_years and current.calendar_version == 20
    assert watch.current() is current  # not rebuilt while nothing changes


def test_an_import_needs_a_seeded_database(flow) -> None:
    with pytest.raises(Exception, match="govflow init"):
        services.import_calendar(flow.svc, admin_principal(flow.svc), "2027.yaml", TEST_2027)


def test_an_administrator_imports_over_the_api_and_the_web_notices(flow, engine) -> None:
    from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
    from tests.api_support import ApiHarness

    services.seed_calendar(flow.svc, shipped_files())
    api = ApiHarness(flow.svc, engine)
    ticks = [0.0]
    api.app.state.calendar_watch = services.CalendarWatch(flow.svc, monotonic=lambda: ticks[0])
    session_id, csrf = api.session(api.admin.username)
    admin = {"Cookie": f"{SESSION_COOKIE}={session_id}", CSRF_HEADER: csrf}
    body = {"name": "2027.yaml", "text": TEST_2027}
    with api.client() as http:
        assert 2027 not in http.get("/api/v1/calendar", headers=api.headers("wang.clerk")).json()
        refused = http.post(
            "/api/v1/calendar/imports", json=body, headers=api.headers("zhang.head")
        )
        assert refused.status_code == 403, refused.text
        # Who may import is asked before the file is read: a faulty file is no 400 for them.
        faulty = {"name": "2027.yaml", "text": "year: [\n"}
        for body_sent in (faulty, {**body, "name": "2028.yaml"}):
            refused = http.post(
                "/api/v1/calendar/imports", json=body_sent, headers=api.headers("li.handler")
            )
            assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
        bad = http.post(
            "/api/v1/calendar/imports", json={**body, "name": "2028.yaml"}, headers=admin
        )
        assert bad.status_code in (400, 422) and "year 为 2027" in bad.text
        assert rows(engine, "calendar_imports") == 19

        done = http.post("/api/v1/calendar/imports", json=body, headers=admin)
        assert done.status_code == 200, done.text
        assert (done.json()["unchanged"], done.json()["year"]) == (False, 2027)
        again = http.post("/api/v1/calendar/imports", json=body, headers=admin).json()
        assert again["unchanged"] is True and again["import_id"] is None

        ticks[0] = 31.0  # the next request after calendar.check_seconds
        assert 2027 in http.get("/api/v1/calendar", headers=api.headers("wang.clerk")).json()
        listed = http.get("/api/v1/calendar/imports", headers=api.headers("wang.clerk")).json()
        assert listed[-1]["name"] == "2027.yaml" and len(listed) == 20


def _direct_url(engine) -> str:
    """The engine's database as ``GOVFLOW_DATABASE_URL`` would name it (a PostgreSQL test's
    schema as the connection's ``search_path``, as a URL may carry it)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url
    with engine.connect() as connection:
        schema = connection.scalar(text("SELECT current_schema()"))
    return f"{url}?options=-csearch_path%3D{schema}"


def test_the_calculator_counts_on_the_databases_calendar_without_sqlalchemy(
    flow, engine, monkeypatch, tmp_path
) -> None:
    from govflow.app import calculator_calendar

    svc = flow.svc
    services.seed_calendar(svc, shipped_files())
    services.import_calendar(svc, admin_principal(svc), "2027.yaml", TEST_2027)
    monkeypatch.setenv("GOVFLOW_DATABASE_URL", _direct_url(engine))
    monkeypatch.delenv("GOVFLOW_DATABASE_URL_FILE", raising=False)
    calendar, note = calculator_calendar()
    assert note is None and 2027 in calendar.known_years
    # 1 January a holiday, 2–3 a weekend, 4–5 the test holidays: the 3rd working day is the 8th.
    assert calendar.add_working_days(date(2026, 12, 31), 3).due_date == date(2027, 1, 8)

    # A database configured but not readable: the files' calendar, and the person is told.
    if engine.dialect.name == "sqlite":
        garbage = tmp_path / "govflow.db"
        garbage.write_bytes(b"not a database" * 100)
        unreadable = f"sqlite:///{garbage}"
    else:
        unreadable = "postgresql://postgres@127.0.0.1:1/none"
    monkeypatch.setenv("GOVFLOW_DATABASE_URL", unreadable)
    calendar, note = calculator_calendar()
    assert 2027 not in calendar.known_years
    assert note is not None and "随软件发布的日历文件" in note
    # No database yet (before ``govflow init``): the files, and nothing to tell.
    monkeypatch.setenv("GOVFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert calculator_calendar()[1] is None
