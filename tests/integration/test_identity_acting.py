"""Who acts, on both databases: the channel on every event, API tokens and their scope,
deactivated and locked users refused, several roles, and the organisation re-import
that deactivates without deleting."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from govflow import configs
from govflow.models.db import session_factory
from govflow.models.org import OrgFile, load_org, read_org_file
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM, Role
from govflow.workflow.errors import ActionNotAllowed, InvalidInput, NotAuthenticated, NotPermitted
from govflow.workflow.identity.principal import SYSTEM_PRINCIPAL, Principal
from govflow.workflow.services import Services, accounts, tokens
from govflow.workflow.services.tokens import TokenRequest
from tests.principals import TEST_CHANNEL, acting

CLERK, LI, HEAD = "wang.clerk", "li.handler", "zhang.head"


@pytest.fixture
def admin(svc: Services) -> Principal:
    accounts.bootstrap_admin(svc)
    return acting(svc, "admin")


def issue(svc: Services, admin: Principal, name: str = "website", **kw: object) -> str:
    request = TokenRequest(name=name, username=kw.pop("username", CLERK), **kw)  # type: ignore[arg-type]
    return tokens.create_token(svc, admin, request).token


def channels(engine: Engine, ref: str) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.actor, e.action, e.data FROM events e JOIN cases c ON c.id = e.case_id"
                " WHERE c.ref = :r ORDER BY e.seq"
            ),
            {"r": ref},
        )
        out = []
        for actor, action, data in rows:
            if isinstance(data, str):  # SQLite hands JSON back as text through raw SQL
                data = json.loads(data)
            out.append((actor, action, data.get("channel")))
        return out


def test_every_event_records_the_user_and_the_channel(flow, engine: Engine) -> None:
    ref = flow.register()
    flow.act(ref, LI, "start_review")
    services.act(
        flow.svc,
        ref=ref,
        action="request_correction",
        payload={"items": "补充身份证明"},
        principal=acting(flow.svc, LI),
    )
    flow.at("2025-10-31 10:00")  # the correction period has run out: the system closes it
    with flow.svc.uow() as uow:  # as the sweeper does
        services.apply_action(
            flow.svc, uow, ref, "correction_expired", {"deadline": "correction"}, SYSTEM_PRINCIPAL
        )
        uow.commit()
    assert channels(engine, ref) == [
        (CLERK, "receive", TEST_CHANNEL),
        (CLERK, "confirm_receipt", TEST_CHANNEL),
        (LI, "start_review", TEST_CHANNEL),
        (LI, "request_correction", TEST_CHANNEL),
        ("system", "correction_expired", "system"),
    ]
    entries = services.case_timeline(flow.svc, SYSTEM, ref).entries
    assert [e.channel for e in entries][-1] == "system"
    assert entries[0].channel == TEST_CHANNEL


def test_a_token_acts_as_its_account_within_its_scope(
    flow, admin: Principal, engine: Engine
) -> None:
    svc = flow.svc
    raw = issue(svc, admin, actions=frozenset({"receive", "confirm_receipt"}))
    principal = tokens.authenticate_token(svc, raw)
    assert (principal.username, principal.channel) == (CLERK, "api:website")
    ref = services.register_request(
        svc, agency_code="county", principal=principal, intake=flow.intake()
    )
    assert {c for _, _, c in channels(engine, ref)} == {"api:website"}
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="无权执行动作“申请人撤回”（withdraw）"):
        services.act(
            svc,
            ref=ref,
            action="withdraw",
            payload={"reason": "申请人撤回"},
            principal=principal,
        )
    assert flow.footprint(ref) == before
    # The token's account may not open a case in another agency, token or not.
    with pytest.raises(ActionNotAllowed):
        services.register_request(svc, agency_code="edu", principal=principal, intake=flow.intake())
    assert flow.footprint(ref) == before


def test_a_read_only_token_writes_nothing(flow, admin: Principal) -> None:
    raw = issue(flow.svc, admin, name="dashboard", username="chen.supervisor", read_only=True)
    reader = tokens.authenticate_token(flow.svc, raw)
    assert reader.scope is not None and reader.scope.read_only
    ref = flow.register()
    before = flow.footprint()
    with pytest.raises(ActionNotAllowed, match="只读"):
        services.act(flow.svc, ref=ref, action="start_review", payload={}, principal=reader)
    assert flow.footprint() == before


def test_tokens_expire_are_revoked_and_die_with_their_account(
    svc: Services, admin: Principal, clock, engine: Engine
) -> None:
    expiring = issue(svc, admin, name="short", days=1)
    revoked = issue(svc, admin, name="revoked")
    orphan = issue(svc, admin, name="orphan", username=LI)
    tokens.authenticate_token(svc, expiring)
    tokens.revoke_token(svc, admin, "revoked")
    with pytest.raises(NotAuthenticated):
        tokens.authenticate_token(svc, revoked)
    accounts.deactivate_user(svc, admin, LI, "调离")
    with pytest.raises(NotAuthenticated, match="停用或锁定"):
        tokens.authenticate_token(svc, orphan)
    clock.advance(timedelta(days=1))
    with pytest.raises(NotAuthenticated, match="无效、已过期或已吊销"):
        tokens.authenticate_token(svc, expiring)
    for bad in ("", "gft_not-a-token", expiring[:-2], "Bearer " + expiring):
        with pytest.raises(NotAuthenticated):
            tokens.authenticate_token(svc, bad)
    with engine.connect() as conn:
        stored = repr(conn.execute(text("SELECT * FROM api_tokens")).all())
    assert not any(t in stored for t in (expiring, revoked, orphan))
    # Unexpired and unrevoked, though refused while its account is deactivated.
    assert [t.name for t in tokens.list_tokens(svc, admin)] == ["orphan"]
    assert {t.name for t in tokens.list_tokens(svc, admin, include_inactive=True)} == {
        "short",
        "revoked",
        "orphan",
    }


def test_a_token_is_issued_only_for_what_its_account_may_do(
    svc: Services, admin: Principal
) -> None:
    with pytest.raises(InvalidInput, match="未知动作"):
        issue(svc, admin, actions=frozenset({"no_such_action"}))
    with pytest.raises(InvalidInput, match="无权执行：approve_reply"):
        issue(svc, admin, actions=frozenset({"approve_reply"}))
    with pytest.raises(InvalidInput, match="所属的示范县人民政府办公室"):
        issue(svc, admin, agency="edu")
    with pytest.raises(InvalidInput, match="有效期"):
        issue(svc, admin, days=366)
    for days in (0, -1):  # refused like 366, not taken for the default lifetime
        with pytest.raises(InvalidInput, match="1–365 天"):
            issue(svc, admin, days=days)
    issue(svc, admin, name="reports", username="chen.supervisor", read_only=True, agency="edu")
    with pytest.raises(InvalidInput, match="已有名为"):
        issue(svc, admin, name="reports")
    with pytest.raises(ActionNotAllowed, match="不是系统管理员"):
        issue(svc, acting(svc, HEAD), name="mine")


@pytest.mark.parametrize("change", ["deactivate", "lock"])
def test_a_deactivated_or_locked_user_cannot_act(flow, admin: Principal, change: str) -> None:
    ref = flow.register()
    before_change = acting(flow.svc, LI)  # a principal taken before the change
    getattr(accounts, f"{change}_user")(flow.svc, admin, LI)
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match=r"已停用|已锁定"):
        services.act(flow.svc, ref=ref, action="start_review", payload={}, principal=before_change)
    with pytest.raises(ActionNotAllowed, match=r"已停用|已锁定"):
        acting(flow.svc, LI)  # and ``--as`` refuses at once
    with pytest.raises(InvalidInput, match="不能指定"):
        flow.act(ref, HEAD, "assign", assignee=LI)
    assert flow.footprint(ref) == before


def test_a_token_authenticated_before_its_account_moved_acts_there_no_more(
    flow, admin: Principal, engine: Engine
) -> None:
    """The account is read again inside the action's transaction: a principal taken from a
    token just before the organisation import moved its account writes nothing."""
    raw = issue(flow.svc, admin)  # the county clerk's
    principal = tokens.authenticate_token(flow.svc, raw)
    ref = flow.register()
    org = read_org_file(configs.shipped("demo_org.yaml"))
    users = [
        u.model_copy(update={"agency": "edu"}) if u.username == CLERK else u for u in org.users
    ]
    with session_factory(engine)() as session:
        load_org(session, OrgFile(agencies=org.agencies, users=users))
        session.commit()
    before = flow.footprint(ref)
    with pytest.raises(NotPermitted, match="不再适用：账户已不属于该机关"):
        services.act(flow.svc, ref=ref, action="confirm_receipt", payload={}, principal=principal)
    for agency in ("county", "edu"):
        with pytest.raises(NotPermitted, match="不再适用"):
            services.register_request(
                flow.svc, agency_code=agency, principal=principal, intake=flow.intake()
            )
    assert flow.footprint(ref) == before
    with pytest.raises(NotPermitted, match="不再适用"):
        tokens.authenticate_token(flow.svc, raw)


def test_a_user_with_two_roles_acts_in_the_one_each_action_needs(
    flow, admin: Principal, engine: Engine
) -> None:
    org = read_org_file(configs.shipped("demo_org.yaml"))
    users = [
        u.model_copy(update={"role": None, "roles": [Role.HANDLER, Role.OFFICE_HEAD]})
        if u.username == HEAD
        else u
        for u in org.users
    ]
    with session_factory(engine)() as session:
        load_org(session, OrgFile(agencies=org.agencies, users=users))
        session.commit()
    ref = flow.register()
    flow.act(ref, HEAD, "start_review")
    flow.act(ref, HEAD, "accept")
    flow.act(ref, HEAD, "draft_reply", outcome="disclosed", summary="予以公开")
    flow.act(ref, HEAD, "approve_reply")
    with engine.connect() as conn:
        roles = conn.execute(
            text(
                "SELECT e.action, e.actor_role FROM events e JOIN cases c ON c.id = e.case_id"
                " WHERE c.ref = :r AND e.actor = :a ORDER BY e.seq"
            ),
            {"r": ref, "a": HEAD},
        ).all()
    assert [tuple(r) for r in roles] == [
        ("start_review", "handler"),
        ("accept", "handler"),
        ("draft_reply", "handler"),
        ("approve_reply", "office_head"),
    ]


def test_re_importing_the_organisation_deactivates_the_departed_and_keeps_history(
    flow, engine: Engine
) -> None:
    ref = flow.register()
    flow.act(ref, LI, "start_review")
    org = read_org_file(configs.shipped("demo_org.yaml"))
    departed = OrgFile(agencies=org.agencies, users=[u for u in org.users if u.username != LI])
    with session_factory(engine)() as session:
        done = load_org(session, departed, now=flow.clock.now())
        session.commit()
    assert (done.deactivated, done.added, done.updated) == (1, 0, 0)
    with pytest.raises(ActionNotAllowed, match="已停用"):
        flow.act(ref, LI, "accept")
    entries = services.case_timeline(flow.svc, SYSTEM, ref).entries
    assert [e.actor_name for e in entries if e.actor == LI] == ["李经办"]
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM users WHERE username = :u"), {"u": LI}
            ).scalar_one()
            == 1
        )
    # Back in the file (a return from secondment): active again, same account.
    with session_factory(engine)() as session:
        again = load_org(session, org, now=flow.clock.now())
        session.commit()
    assert again.reactivated == 1
    flow.act(ref, LI, "accept")


def test_notifications_skip_a_departed_assignee(flow, admin: Principal) -> None:
    ref = flow.register()
    flow.act(ref, HEAD, "assign", assignee=LI)

    def told() -> list[str]:
        # Who the sweeper tells, as it reads the accounts (roles and status) once per sweep.
        with flow.svc.uow() as uow:
            row = uow.repo.get(ref)
            agency_id = {a.code: a.id for a in uow.repo.agencies()}[row.agency_code]
            people = uow.escalations.directory().told(agency_id, row.assignee, ("assignee",))
            return [p.username for p in people]

    assert told() == [LI]
    accounts.deactivate_user(flow.svc, admin, LI)
    assert told() == [HEAD]  # the office head answers for the case


def test_a_principal_is_checked_again_for_every_action(flow, admin: Principal) -> None:
    """Roles come from the account when the action is taken, not from the principal."""
    ref = flow.register()
    forged = replace(acting(flow.svc, CLERK), roles=(Role.OFFICE_HEAD,))
    with pytest.raises(ActionNotAllowed, match="无权"):
        services.act(
            flow.svc,
            ref=ref,
            action="extend",
            payload={"days": 5, "reason": "x"},
            principal=forged,
        )


def test_the_migration_turns_each_role_into_a_row_and_back(flow, engine: Engine) -> None:
    """0006 on a database with users (an installation upgrading): every role kept, every
    user managed by the organisation file; and down again to one role per user."""
    from alembic import command

    from govflow.models.db import alembic_config, migrate

    ref = flow.register()
    command.downgrade(alembic_config(engine), "0005")
    with engine.connect() as conn:
        before = dict(conn.execute(text("SELECT username, role FROM users")).all())
    assert before[HEAD] == "office_head" and len(before) == 7
    migrate(engine)
    with engine.connect() as conn:
        after = dict(
            conn.execute(
                text(
                    "SELECT u.username, r.role FROM users u JOIN user_roles r ON r.user_id = u.id"
                    " WHERE u.managed_by_org AND u.status = 'active'"
                )
            ).all()
        )
    assert after == before
    flow.act(ref, LI, "start_review")
