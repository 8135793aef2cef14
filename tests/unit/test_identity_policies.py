"""The identity policies without I/O: lockout windows, session timeouts, password hashing
and rehash, opaque secrets, roles an action is taken in, token scopes, the org import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow.models.org import OrgFile
from govflow.workflow.access import may_see_personal_data, read_scope
from govflow.workflow.actors import AccountStatus, Actor, Agency, Role
from govflow.workflow.errors import ActionNotAllowed, InvalidInput
from govflow.workflow.identity import opaque, orgsync
from govflow.workflow.identity.acting import acting_actor
from govflow.workflow.identity.lockout import LockoutPolicy
from govflow.workflow.identity.passwords import (
    PasswordHasher,
    check_strength,
    one_time_password,
)
from govflow.workflow.identity.ports import Account, AccountKind
from govflow.workflow.identity.principal import Principal, TokenScope
from govflow.workflow.identity.sessions import SessionEnd, SessionPolicy
from govflow.workflow.identity.settings import Argon2Parameters, IdentitySettings

T0 = datetime(2025, 9, 22, 1, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
CHEAP = Argon2Parameters(time_cost=1, memory_kib=64, parallelism=1)


# -- lockout ------------------------------------------------------------------------------


def test_five_failures_within_fifteen_minutes_lock_for_fifteen_minutes() -> None:
    policy = LockoutPolicy()
    failures = [T0 + i * 3 * MIN for i in range(5)]  # 0, 3, 6, 9, 12 minutes
    assert policy.lock_after(failures[:4], failures[3], None) is None
    assert policy.lock_after(failures, failures[4], None) == failures[4] + 15 * MIN


def test_failures_spread_over_more_than_the_window_do_not_lock() -> None:
    policy = LockoutPolicy()
    failures = [T0 + i * 4 * MIN for i in range(5)]  # the first is 16 minutes before the last
    assert policy.lock_after(failures, failures[-1], None) is None


def test_failures_before_a_reset_do_not_count() -> None:
    policy = LockoutPolicy()
    failures = [T0 + i * MIN for i in range(6)]
    # A successful login (or an unlock) after the third failure: only three count since.
    assert policy.lock_after(failures, failures[-1], failures[2] + timedelta(seconds=1)) is None
    assert policy.lock_after(failures, failures[-1], failures[0]) is not None
    # A reset at the very instant of a failure came after it.
    assert policy.lock_after(failures, failures[-1], failures[1]) is None


def test_a_lockout_ends_exactly_at_its_limit() -> None:
    until = T0 + 15 * MIN
    assert LockoutPolicy.is_locked(until, until - timedelta(seconds=1))
    assert not LockoutPolicy.is_locked(until, until)
    assert not LockoutPolicy.is_locked(None, T0)


def test_lockout_follows_the_settings() -> None:
    policy = LockoutPolicy.from_settings(
        IdentitySettings(lockout_failures=3, lockout_window_minutes=5, lockout_minutes=60)
    )
    failures = [T0, T0 + 2 * MIN, T0 + 4 * MIN]
    assert policy.lock_after(failures, failures[-1], None) == failures[-1] + 60 * MIN


@settings(max_examples=300, deadline=None)
@given(
    gaps=st.lists(st.integers(1, 20 * 60), min_size=1, max_size=40),
    good=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_lockout_as_the_login_use_case_applies_it(gaps: list[int], good: list[bool]) -> None:
    """Attempts at random instants, right or wrong, through the same steps as ``login``
    (which keeps every failure and the instant of the last reset), against a model that
    forgets failures at each reset: locked exactly when five failures since the last
    success or lockout fall within fifteen minutes, for exactly fifteen minutes, and
    attempts while locked are refused and not counted."""
    policy = LockoutPolicy()
    now, locked_until, reset_at = T0, None, None
    every_failure: list[datetime] = []
    model: list[datetime] = []  # the failures since the last reset
    for gap, right in zip(gaps, good, strict=False):
        now += timedelta(seconds=gap)
        if policy.is_locked(locked_until, now):
            assert locked_until is not None and now < locked_until <= now + policy.duration
            continue
        if right:
            reset_at, locked_until, model = now, None, []
            continue
        every_failure.append(now)
        model.append(now)
        until = policy.lock_after(every_failure, now, reset_at)
        in_window = [at for at in model if at >= now - timedelta(minutes=15)]
        assert (until is not None) == (len(in_window) >= 5)
        if until is not None:
            assert until == now + timedelta(minutes=15)
            locked_until, reset_at, model = until, now, []


# -- sessions -----------------------------------------------------------------------------


def test_a_session_ends_after_thirty_idle_minutes() -> None:
    policy = SessionPolicy()
    last = T0 + 60 * MIN
    assert policy.ended(T0, last, None, last + 30 * MIN - timedelta(seconds=1)) is None
    assert policy.ended(T0, last, None, last + 30 * MIN) is SessionEnd.IDLE


def test_a_session_ends_twelve_hours_after_login_however_busy() -> None:
    policy = SessionPolicy()
    end = T0 + timedelta(hours=12)
    assert policy.ended(T0, end - MIN, None, end - timedelta(seconds=1)) is None
    assert policy.ended(T0, end - MIN, None, end) is SessionEnd.ABSOLUTE
    assert policy.expires_at(T0, end - MIN) == end


def test_a_revoked_session_is_over_whatever_the_time() -> None:
    assert SessionPolicy().ended(T0, T0, T0 + MIN, T0 + 2 * MIN) is SessionEnd.REVOKED


def test_timeouts_come_from_the_settings() -> None:
    policy = SessionPolicy.from_settings(
        IdentitySettings(session_idle_minutes=5, session_absolute_hours=1)
    )
    assert policy.ended(T0, T0, None, T0 + 5 * MIN) is SessionEnd.IDLE
    assert policy.expires_at(T0, T0 + 58 * MIN) == T0 + 60 * MIN


def test_last_use_is_written_at_most_once_a_minute() -> None:
    assert not SessionPolicy.needs_touch(T0, T0 + timedelta(seconds=59))
    assert SessionPolicy.needs_touch(T0, T0 + MIN)


# -- passwords ----------------------------------------------------------------------------


def test_the_default_hash_is_argon2id_with_the_owasp_parameters() -> None:
    stored = PasswordHasher(IdentitySettings().argon2).hash("correct horse 1")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_password_verifies_and_a_wrong_one_does_not() -> None:
    hasher = PasswordHasher(CHEAP)
    stored = hasher.hash("correct horse 1")
    assert hasher.verify(stored, "correct horse 1").ok
    assert not hasher.verify(stored, "correct horse 2").ok
    assert not hasher.verify(None, "correct horse 1").ok
    assert not hasher.verify("not a hash", "x").ok


def test_a_hash_made_with_other_parameters_is_replaced_at_login() -> None:
    old = PasswordHasher(CHEAP).hash("correct horse 1")
    current = PasswordHasher(Argon2Parameters(time_cost=2, memory_kib=128, parallelism=1))
    verdict = current.verify(old, "correct horse 1")
    assert verdict.ok and verdict.new_hash is not None
    assert "m=128,t=2,p=1" in verdict.new_hash
    assert current.verify(verdict.new_hash, "correct horse 1").new_hash is None
    assert current.verify(old, "wrong").new_hash is None  # never rehash on a wrong password


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1", "至少 10 个字符"),
        ("onlyletters", "字母和数字"),
        ("1234567890", "字母和数字"),
        ("li.handler2025", "不能包含用户名"),
        (" padded1234 ", "空格"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem) as refused:
        check_strength(password, "li.handler", 10)
    assert password.strip() not in str(refused.value)  # never echoed


def test_generated_passwords_meet_the_rules() -> None:
    for _ in range(50):
        check_strength(one_time_password(), "admin", 10)


# -- opaque secrets -------------------------------------------------------------------------


def test_secrets_are_random_and_stored_as_digests() -> None:
    a, b = opaque.new_secret(), opaque.new_secret()
    assert a != b and len(a) >= 43
    assert opaque.digest(a) != a and len(opaque.digest(a)) == 64
    token = opaque.new_api_token()
    assert token.startswith(opaque.TOKEN_PREFIX)


def test_csrf_tokens_compare_exactly() -> None:
    token = opaque.new_secret()
    assert opaque.same(token, token)
    assert not opaque.same(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not opaque.same(token, None)
    assert not opaque.same(token, "")
    assert not opaque.same(token, "\udcff")  # undecodable input from a header


# -- roles an action is taken in ----------------------------------------------------------------


def test_a_user_with_several_roles_acts_in_the_least_senior_one_allowed() -> None:
    head = Actor("zhang.head", "张主任", Role.HANDLER, "county", (Role.HANDLER, Role.OFFICE_HEAD))
    assert head.acting_as({Role.HANDLER, Role.OFFICE_HEAD}).role is Role.HANDLER
    assert head.acting_as({Role.OFFICE_HEAD}).role is Role.OFFICE_HEAD
    assert head.acting_as({Role.CLERK}).role is Role.HANDLER  # unchanged: the check refuses
    assert head.has_role(Role.OFFICE_HEAD) and not head.has_role(Role.CLERK)
    plain = Actor("li.handler", "李经办", Role.HANDLER, "county")
    assert plain.held_roles == (Role.HANDLER,)


# -- token scopes ---------------------------------------------------------------------------------


class Named:
    """The words a service gives a token's refusal: agencies and actions by their names."""

    def agency(self, code: str) -> str:
        return {"county": "示范县人民政府办公室", "edu": "示范县教育局"}[code]

    def action(self, name: str) -> str:
        return f"“受理”（{name}）"


def test_a_token_acts_only_within_its_scope() -> None:
    scope = TokenScope(agency="county", actions=frozenset({"receive"}))
    named = Named()
    scope.check_write("receive", "county", named)
    assert scope.allows("receive", "county")
    with pytest.raises(ActionNotAllowed, match="无权执行动作“受理”（accept）"):
        scope.check_write("accept", "county", named)
    assert not scope.allows("accept", "county")
    # People read the refusal: the agencies by their names, never their codes.
    with pytest.raises(ActionNotAllowed) as refused:
        scope.check_write("receive", "edu", named)
    assert str(refused.value) == "此令牌只能用于示范县人民政府办公室，不能办理示范县教育局的案件"
    assert not scope.allows("receive", "edu")
    with pytest.raises(ActionNotAllowed, match="只读"):
        TokenScope(agency="county", read_only=True).check_write("receive", "county", named)
    assert not TokenScope(agency="county", read_only=True).allows("receive", "county")
    TokenScope(agency="county").check_write("anything", "county", named)  # every action


def test_a_scope_survives_its_json() -> None:
    for scope in (
        TokenScope("county", frozenset({"a", "b"})),
        TokenScope("county", None, include_children=True, read_only=True),
        TokenScope("county", personal_data=True),
    ):
        assert TokenScope.from_json(scope.to_json()) == scope


def test_a_token_applies_only_where_its_account_may_reach_now() -> None:
    tree = {"county", "edu", "housing"}  # county and the agencies below it
    clerk, supervising = (Role.CLERK,), (Role.SUPERVISOR,)
    assert TokenScope("county").applies("county", clerk, ())
    assert not TokenScope("county").applies("edu", clerk, ())  # moved to edu since
    assert not TokenScope("county").applies(None, clerk, ())
    below = TokenScope("edu", read_only=True)
    assert below.applies("county", supervising, tree)
    assert not below.applies("housing", supervising, {"housing"})  # moved out of the tree
    assert not below.applies("county", clerk, tree)  # no longer a supervisor
    assert not TokenScope("edu").applies("county", supervising, tree)  # a writing token


def principal(roles: tuple[Role, ...], agency: str, scope: TokenScope) -> Principal:
    return Principal("u", "某人", roles, agency, "api:t", scope=scope)


def test_a_token_reads_below_its_agency_only_with_include_children() -> None:
    tree = {"county": None, "edu": "county", "housing": "county"}
    supervising = (Role.SUPERVISOR,)
    alone = principal(supervising, "county", TokenScope("county", read_only=True)).as_reader()
    assert read_scope(alone, tree).agencies == {"county"}
    scope = TokenScope("county", include_children=True, read_only=True)
    assert read_scope(principal(supervising, "county", scope).as_reader(), tree).agencies == {
        "county",
        "edu",
        "housing",
    }
    below = principal(supervising, "county", TokenScope("edu", read_only=True)).as_reader()
    assert (below.agency_code, read_scope(below, tree).agencies) == ("edu", {"edu"})
    session = Principal("u", "某人", supervising, "county", "web").as_reader()
    assert read_scope(session, tree).agencies == {"county", "edu", "housing"}


def test_a_token_sees_applicants_unmasked_only_if_issued_with_personal_data() -> None:
    """Issue 11: the actions a token names limit what it writes, not what it reads; what it
    reads of the applicants is the ``personal_data`` it was issued with."""
    staff = (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD)
    for roles in ((role,) for role in staff):
        plain = principal(roles, "county", TokenScope("county", frozenset({"receive"})))
        allowed = principal(roles, "county", TokenScope("county", personal_data=True))
        assert not may_see_personal_data(plain.as_reader(), "county")
        assert may_see_personal_data(allowed.as_reader(), "county")
        assert not may_see_personal_data(allowed.as_reader(), "edu")  # another agency's
        session = Principal("u", "某人", roles, "county", "web")  # people: unchanged
        assert may_see_personal_data(session.as_reader(), "county")
        assert may_see_personal_data(session.as_actor(), "county")
    supervising = principal((Role.SUPERVISOR,), "county", TokenScope("county", personal_data=True))
    assert not may_see_personal_data(supervising.as_reader(), "county")  # a role's masking


class OneClerk:
    """The accounts as an action's transaction reads them again: one clerk of the county."""

    def actor(self, username: str) -> Actor:
        return Actor(username, "某人", Role.CLERK, "county")

    def agency(self, code: str) -> Agency:
        return Agency(1, code, "示范县人民政府办公室", "示政办")


def test_the_actor_of_a_write_through_a_token_carries_its_personal_data() -> None:
    """What a write shows its actor (the applicant's history, a notice) is masked as its
    reading is: the actor ``acting_actor`` builds carries the token's permission."""
    plain = principal((Role.CLERK,), "county", TokenScope("county"))
    allowed = principal((Role.CLERK,), "county", TokenScope("county", personal_data=True))
    assert not may_see_personal_data(acting_actor(OneClerk(), plain), "county")
    assert may_see_personal_data(acting_actor(OneClerk(), allowed), "county")
    session = Principal("u", "某人", (Role.CLERK,), "county", "web")
    assert may_see_personal_data(acting_actor(OneClerk(), session), "county")


def test_a_token_for_an_agency_its_account_has_left_reads_nothing() -> None:
    moved = principal((Role.CLERK,), "edu", TokenScope("county"))
    with pytest.raises(ActionNotAllowed, match="不再适用：账户已不属于该机关"):
        moved.as_reader()


# -- the organisation import --------------------------------------------------------------------


def account(username: str, **kw: object) -> Account:
    base: dict[str, object] = {
        "name": username,
        "roles": (Role.CLERK,),
        "agency_code": "county",
        "managed_by_org": True,
    }
    return Account(username=username, **{**base, **kw})  # type: ignore[arg-type]


def listed(username: str, **kw: object) -> orgsync.Listed:
    base: dict[str, object] = {"name": username, "roles": (Role.CLERK,), "agency_code": "county"}
    return orgsync.Listed(username=username, **{**base, **kw})  # type: ignore[arg-type]


def test_an_import_adds_updates_deactivates_and_reactivates() -> None:
    existing = [
        account("stays"),
        account("moves"),
        account("leaves"),
        account("returns", status=AccountStatus.DEACTIVATED),
        account("manual", managed_by_org=False),
        account("admin", roles=(Role.ADMIN,), agency_code=None, managed_by_org=False),
        account("locked", status=AccountStatus.LOCKED),
    ]
    file = [
        listed("stays"),
        listed("moves", agency_code="edu", roles=(Role.OFFICE_HEAD, Role.HANDLER)),
        listed("returns"),
        listed("locked"),
        listed("new"),
    ]
    changes = {(c.kind, c.username): c.fields for c in orgsync.plan(existing, file)}
    assert set(changes) == {
        ("update", "moves"),
        ("reactivate", "returns"),
        ("add", "new"),
        ("deactivate", "leaves"),
    }
    assert changes["update", "moves"] == {
        "agency_code": "edu",
        "roles": (Role.HANDLER, Role.OFFICE_HEAD),
    }
    # A partial file (synthetic data beside an office's own) deactivates nobody.
    partial = orgsync.plan(existing, file, complete=False)
    assert not [c for c in partial if c.kind == "deactivate"]


def test_an_import_never_takes_over_an_administrator_or_a_service_account() -> None:
    for other in (
        account("admin", roles=(Role.ADMIN,), agency_code=None),
        account("robot", kind=AccountKind.SERVICE),
    ):
        with pytest.raises(InvalidInput, match="不能由组织文件管理"):
            orgsync.plan([other], [listed(other.username)])


def test_an_import_refuses_a_username_that_differs_from_an_account_only_in_case() -> None:
    """``Wang.Clerk`` beside ``wang.clerk`` is one name to a person: the file may not add it,
    and the refusal names the account it looks like; the same file twice is no change."""
    existing = [account("wang.clerk", name="王登记"), account("li.handler")]
    with pytest.raises(InvalidInput) as refused:
        orgsync.plan(existing, [listed("li.handler"), listed("Wang.Clerk")])
    assert str(refused.value).startswith(
        "用户名 Wang.Clerk 与已有用户 wang.clerk（王登记）只差大小写"
    )
    assert orgsync.plan(existing, [listed("wang.clerk", name="王登记"), listed("li.handler")]) == []


def test_an_organisation_file_may_not_list_two_names_differing_only_in_case() -> None:
    agency = {"code": "county", "name": "县政府办", "ref_prefix": "示政办"}
    people = [
        {"username": "wang.clerk", "name": "王登记", "role": "clerk", "agency": "county"},
        {"username": "Wang.Clerk", "name": "王某", "role": "clerk", "agency": "county"},
    ]
    with pytest.raises(ValueError, match=r"用户名 Wang\.Clerk 与 wang\.clerk 只差大小写"):
        OrgFile.model_validate({"agencies": [agency], "users": people})
    with pytest.raises(ValueError, match=r"用户名 wang\.clerk 重复"):
        OrgFile.model_validate({"agencies": [agency], "users": [people[0], people[0]]})
