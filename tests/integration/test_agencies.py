"""An administrator adds an agency (机关): checked like the organisation file's, written to
the security log, usable at once (its people, its case numbers), kept by a later import
of the file; anyone else is refused and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from govflow import configs
from govflow.models.org import load_org, read_org_file
from govflow.models.tables import AgencyRow
from govflow.workflow.actors import Role
from govflow.workflow.errors import InvalidInput, NotPermitted
from govflow.workflow.identity.principal import Principal
from govflow.workflow.services import (
    NewAccount,
    NewAgency,
    Services,
    accounts,
    add_agency,
    agency_tree,
    security_log,
)
from tests.principals import acting

TOWN = NewAgency(code="town-a", name="示例县甲镇人民政府", ref_prefix="甲镇政依申", parent="county")


@pytest.fixture
def admin(svc: Services) -> Principal:
    created = accounts.bootstrap_admin(svc)
    assert created is not None
    return acting(svc, created[0])


def _agency_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AgencyRow)).scalar_one())


def test_an_administrator_adds_an_agency_under_the_county(
    svc: Services, admin: Principal, flow
) -> None:
    added = add_agency(
        svc, admin, NewAgency("  town-a ", " 示例县甲镇人民政府 ", "甲镇政依申", "county")
    )
    assert (added.code, added.name, added.parent) == ("town-a", "示例县甲镇人民政府", "county")
    tree = {node.code: node for node in agency_tree(svc, admin)}
    assert tree["town-a"].depth == tree["county"].depth + 1
    entry = next(e for e in security_log(svc, admin) if e.action == "agency_added")
    assert (entry.actor, entry.target) == (admin.username, "town-a")
    assert entry.detail["ref_prefix"] == "甲镇政依申"

    # Usable at once: a clerk of the new agency registers a request numbered with its prefix.
    accounts.add_user(
        svc,
        admin,
        NewAccount("sun.clerk", "孙登记", (Role.CLERK,), "town-a"),
        password="Clerk-pass-123",
    )
    ref = flow.register("sun.clerk", agency="town-a")
    assert str(ref).startswith("甲镇政依申")


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (NewAgency("Town A", "甲镇", "甲镇"), "code"),
        (NewAgency("county", "另一个县", "另一个"), "code"),
        (NewAgency("town-b", "", "乙镇"), "name"),
        (NewAgency("town-b", "乙镇", ""), "ref_prefix"),
        (NewAgency("town-b", "乙镇", "x" * 33), "ref_prefix"),
        (NewAgency("town-b", "乙镇", "ignored", "nowhere"), "parent"),
    ],
)
def test_a_faulty_agency_is_refused_field_by_field_and_nothing_is_written(
    svc: Services, admin: Principal, engine: Engine, new: NewAgency, field: str
) -> None:
    before = _agency_rows(engine)
    with pytest.raises(InvalidInput) as refused:
        add_agency(svc, admin, new)
    assert field in refused.value.fields
    assert _agency_rows(engine) == before


def test_two_agencies_never_share_a_reference_prefix(svc: Services, admin: Principal) -> None:
    """Case numbers start with the prefix: a second agency with it would issue duplicates."""
    county = next(a for a in agency_tree(svc, admin) if a.code == "county")
    with pytest.raises(InvalidInput) as refused:
        add_agency(svc, admin, NewAgency("town-b", "乙镇", county.ref_prefix, "county"))
    assert "案件编号会重复" in refused.value.fields["ref_prefix"]


@pytest.mark.parametrize("username", ["wang.clerk", "zhang.head", "chen.supervisor"])
def test_only_an_administrator_adds_agencies(
    svc: Services, admin: Principal, engine: Engine, username: str
) -> None:
    before = _agency_rows(engine)
    with pytest.raises(NotPermitted):
        add_agency(svc, acting(svc, username), TOWN)
    assert _agency_rows(engine) == before
    assert not [e for e in security_log(svc, admin) if e.action == "agency_added"]


def test_importing_the_organisation_file_again_keeps_an_added_agency(
    svc: Services, admin: Principal, engine: Engine
) -> None:
    add_agency(svc, admin, TOWN)
    with svc.uow() as uow:
        load_org(uow.session, read_org_file(configs.shipped("demo_org.yaml")))
        uow.commit()
    assert "town-a" in {node.code for node in agency_tree(svc, admin)}


@pytest.mark.postgres
def test_two_administrators_adding_one_code_at_once_one_is_told_why(
    pg_engine: Engine, clock, calendar, config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real threads on PostgreSQL: both pass the check (neither sees the other's row), both
    insert; the unique code decides, and the loser reads a message about agencies (not the
    cases' "已被他人修改"), with nothing of its own written."""
    import threading

    from govflow.app import build_services
    from govflow.workflow.errors import Conflict
    from govflow.workflow.services import installation

    svc = build_services(pg_engine, clock, calendar, config)
    created = accounts.bootstrap_admin(svc)
    assert created is not None
    admin = acting(svc, created[0])
    both_checked = threading.Barrier(2, timeout=10)
    real_check = installation.checked

    def check_then_wait(new, agencies):  # type: ignore[no-untyped-def]
        agency = real_check(new, agencies)
        both_checked.wait()
        return agency

    monkeypatch.setattr(installation, "checked", check_then_wait)
    outcomes: list[object] = []

    def add(prefix: str) -> None:
        try:
            outcomes.append(add_agency(svc, admin, NewAgency("town-a", "甲镇", prefix, "county")))
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=add, args=(p,)) for p in ("甲镇政依申", "甲镇府依申")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(outcomes) == 2 and len(refused) == 1
    assert "机关代码 town-a" in str(refused[0]) and "刚被另一位管理员使用" in str(refused[0])
    added = [e for e in security_log(svc, admin) if e.action == "agency_added"]
    assert [e.target for e in added] == ["town-a"]  # the winner's only
