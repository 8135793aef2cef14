"""Identity on both databases: login and its log, lockout, session timeouts, logout
everywhere, fixation, first-login password change, rehash, CSRF, administration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from govflow.workflow.actors import Role
from govflow.workflow.errors import ActionNotAllowed, InvalidInput, NotAuthenticated
from govflow.workflow.identity.passwords import PasswordHasher
from govflow.workflow.identity.principal import Principal
from govflow.workflow.identity.providers import LoginRefused, PasswordProof
from govflow.workflow.identity.settings import Argon2Parameters
from govflow.workflow.services import Services, accounts, logs, signin
from govflow.workflow.services.accounts import NewAccount
from tests.principals import acting

PASSWORD = "Handler-pass-1"
MIN = timedelta(minutes=1)


@pytest.fixture
def admin(svc: Services) -> Principal:
    created = accounts.bootstrap_admin(svc)
    assert created is not None and created[0] == "admin"
    return acting(svc, "admin")


def with_password(svc: Services, admin: Principal, username: str = "li.handler") -> None:
    accounts.set_password(svc, admin, username, PASSWORD, temporary=False)
    svc.clock.advance(MIN)  # type: ignore[attr-defined]  # the user tries later, not that instant


def sign_in(svc: Services, username: str = "li.handler", password: str = PASSWORD, **kw: object):
    return signin.login(svc, signin.local_passwords(svc), PasswordProof(username, password), **kw)  # type: ignore[arg-type]


def outcomes(engine: Engine, username: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT outcome FROM login_attempts WHERE username = :u ORDER BY id"),
            {"u": username},
        )
        return [r[0] for r in rows]


def test_first_start_creates_one_administrator_who_must_change_the_password(
    svc: Services, clock
) -> None:
    username, password = accounts.bootstrap_admin(svc) or ("", "")
    assert accounts.bootstrap_admin(svc) is None  # once
    session = sign_in(svc, username, password)
    assert session.principal.must_change_password
    assert session.principal.roles == (Role.ADMIN,)
    # Until the one-time password is changed, the session may do nothing else.
    with pytest.raises(ActionNotAllowed, match="请先修改初始密码"):
        accounts.add_user(
            svc,
            session.principal,
            NewAccount("x.clerk", "某", (Role.CLERK,), "county"),
            generate=True,
        )
    renewed = signin.change_password(svc, session.session_id, password, "Strong-new-pass-9")
    assert not renewed.principal.must_change_password
    assert renewed.session_id != session.session_id
    with pytest.raises(NotAuthenticated):  # every session of the old password ended
        signin.authenticate_session(svc, session.session_id)
    assert signin.authenticate_session(svc, renewed.session_id).principal.username == username
    with pytest.raises(LoginRefused):
        sign_in(svc, username, password)
    assert sign_in(svc, username, "Strong-new-pass-9").principal.username == username


def test_login_opens_a_new_session_stored_only_as_a_digest(
    svc: Services, admin: Principal, engine: Engine
) -> None:
    with_password(svc, admin)
    first = sign_in(svc)
    # The browser had a session (planted by someone else, or its own): login replaces it.
    second = sign_in(svc, replaces=first.session_id)
    assert second.session_id != first.session_id
    with pytest.raises(NotAuthenticated):
        signin.authenticate_session(svc, first.session_id)
    view = signin.authenticate_session(svc, second.session_id)
    assert (view.principal.username, view.principal.channel) == ("li.handler", "web")
    with engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(text("SELECT id_hash, csrf_token FROM sessions"))]
    flat = repr(stored)
    assert second.session_id not in flat and first.session_id not in flat
    assert outcomes(engine, "li.handler") == ["success", "success"]


def test_wrong_passwords_unknown_names_and_their_log(
    svc: Services, admin: Principal, engine: Engine
) -> None:
    with_password(svc, admin)
    with pytest.raises(LoginRefused, match="用户名或密码错误") as wrong:
        sign_in(svc, password="Wrong-pass-1")
    with pytest.raises(LoginRefused, match="用户名或密码错误") as unknown:
        sign_in(svc, "no.body")
    assert str(wrong.value) == str(unknown.value)  # nothing tells the two apart
    assert outcomes(engine, "li.handler") == ["bad_password"]
    assert outcomes(engine, "no.body") == ["unknown_account"]
    with engine.connect() as conn:
        logged = repr(conn.execute(text("SELECT * FROM login_attempts")).all())
    assert "Wrong-pass-1" not in logged and PASSWORD not in logged


def test_five_failures_in_fifteen_minutes_lock_the_account_for_fifteen(
    svc: Services, admin: Principal, clock, engine: Engine
) -> None:
    with_password(svc, admin)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            sign_in(svc, password="Wrong-pass-1")
        clock.advance(2 * MIN)
    # Locked: even the right password is refused, unchecked and uncounted.
    with pytest.raises(LoginRefused, match="暂时锁定"):
        sign_in(svc)
    clock.advance(12 * MIN)  # a minute short of 15 after the fifth failure
    with pytest.raises(LoginRefused, match="暂时锁定"):
        sign_in(svc)
    clock.advance(MIN)
    assert sign_in(svc).principal.username == "li.handler"
    assert outcomes(engine, "li.handler") == ["bad_password"] * 4 + [
        "locked_now",
        "lockout",
        "lockout",
        "success",
    ]


def test_failures_spread_out_or_reset_by_a_success_do_not_lock(
    svc: Services, admin: Principal, clock
) -> None:
    with_password(svc, admin)
    for _ in range(6):
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            sign_in(svc, password="Wrong-pass-1")
        clock.advance(4 * MIN)  # never five within fifteen minutes
    clock.advance(15 * MIN)
    for _ in range(4):
        with pytest.raises(LoginRefused):
            sign_in(svc, password="Wrong-pass-1")
    sign_in(svc)  # a success resets the count
    for _ in range(4):
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            sign_in(svc, password="Wrong-pass-1")
    assert sign_in(svc)


def test_an_administrator_unlocks_a_locked_out_account(svc: Services, admin: Principal) -> None:
    with_password(svc, admin)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            sign_in(svc, password="Wrong-pass-1")
    accounts.unlock_user(svc, admin, "li.handler", "本人来电确认")
    assert sign_in(svc)


def test_idle_and_absolute_timeouts(svc: Services, admin: Principal, clock) -> None:
    with_password(svc, admin)
    session = sign_in(svc)
    for _ in range(24):  # used every 29 minutes, 11.6 hours: never idle ...
        clock.advance(29 * MIN)
        signin.authenticate_session(svc, session.session_id)
    clock.advance(29 * MIN)  # ... until 12 hours after login
    with pytest.raises(NotAuthenticated, match="最长有效时间"):
        signin.authenticate_session(svc, session.session_id)
    idle = sign_in(svc)
    clock.advance(30 * MIN)
    with pytest.raises(NotAuthenticated, match="长时间未操作"):
        signin.authenticate_session(svc, idle.session_id)
    with pytest.raises(NotAuthenticated, match="已注销"):  # revoked when found idle
        signin.authenticate_session(svc, idle.session_id)


def test_logout_and_logout_everywhere(svc: Services, admin: Principal) -> None:
    with_password(svc, admin)
    with_password(svc, admin, "zhang.head")
    office, laptop, other = sign_in(svc), sign_in(svc), sign_in(svc, "zhang.head")
    signin.logout(svc, office.session_id)
    with pytest.raises(NotAuthenticated):
        signin.authenticate_session(svc, office.session_id)
    signin.authenticate_session(svc, laptop.session_id)
    third = sign_in(svc)
    assert signin.logout_everywhere(svc, third.session_id) == 2
    for ended in (laptop, third):
        with pytest.raises(NotAuthenticated):
            signin.authenticate_session(svc, ended.session_id)
    signin.authenticate_session(svc, other.session_id)  # someone else's stays


@pytest.mark.parametrize("change", ["lock", "deactivate", "set_password"])
def test_locking_deactivating_or_a_new_password_ends_every_session(
    svc: Services, admin: Principal, change: str
) -> None:
    with_password(svc, admin)
    session = sign_in(svc)
    if change == "set_password":
        accounts.set_password(svc, admin, "li.handler", "Another-pass-2")
    else:
        getattr(accounts, f"{change}_user")(svc, admin, "li.handler")
    with pytest.raises(NotAuthenticated):
        signin.authenticate_session(svc, session.session_id)
    if change != "set_password":
        with pytest.raises(LoginRefused, match=r"已被管理员锁定|已停用"):
            sign_in(svc)
        with pytest.raises(LoginRefused, match="用户名或密码错误"):  # status only for the owner
            sign_in(svc, password="Wrong-pass-1")


def test_csrf_token_belongs_to_its_session(svc: Services, admin: Principal) -> None:
    with_password(svc, admin)
    one, two = sign_in(svc), sign_in(svc)
    view = signin.authenticate_session(svc, one.session_id)
    assert view.csrf_token == one.csrf_token != two.csrf_token
    signin.check_csrf(view, one.csrf_token)
    for wrong in (None, "", two.csrf_token):
        with pytest.raises(ActionNotAllowed, match="CSRF"):
            signin.check_csrf(view, wrong)


def test_a_hash_with_old_parameters_is_upgraded_at_login(
    svc: Services, admin: Principal, engine: Engine
) -> None:
    old = PasswordHasher(Argon2Parameters(time_cost=1, memory_kib=1024, parallelism=1))
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE users SET password_hash = :h WHERE username = 'li.handler'"),
            {"h": old.hash(PASSWORD)},
        )
    sign_in(svc)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT password_hash FROM users WHERE username = 'li.handler'")
        ).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_service_accounts_and_sign_on_only_accounts_cannot_log_in_with_a_password(
    svc: Services, admin: Principal
) -> None:
    accounts.add_user(
        svc,
        admin,
        NewAccount("robot", "舆情平台", (Role.CLERK,), "county", kind="service"),  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidInput, match="服务账户不能设置密码"):
        accounts.set_password(svc, admin, "robot", "Robot-pass-123")
    with pytest.raises(LoginRefused, match="用户名或密码错误"):  # no password at all
        sign_in(svc, "robot")
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        sign_in(svc, "zhao.handler")  # from the org file, no password set yet


def test_only_an_administrator_manages_accounts(svc: Services, admin: Principal) -> None:
    head = acting(svc, "zhang.head")
    with pytest.raises(ActionNotAllowed, match="不是系统管理员"):
        accounts.lock_user(svc, head, "li.handler")
    with pytest.raises(ActionNotAllowed, match="最后一个系统管理员"):
        accounts.lock_user(svc, admin, "admin")
    with pytest.raises(InvalidInput, match="不能同时担任办件角色"):
        accounts.add_user(
            svc, admin, NewAccount("boss", "某", (Role.ADMIN, Role.OFFICE_HEAD), "county")
        )
    with pytest.raises(InvalidInput, match="已存在"):
        accounts.add_user(svc, admin, NewAccount("li.handler", "某", (Role.CLERK,), "county"))
    # Warnings go to the e-mail address: one that cannot be one is refused, nothing written.
    with pytest.raises(InvalidInput, match="电子邮箱 'bad-email' 格式不对") as refused:
        accounts.add_user(
            svc, admin, NewAccount("ma.w", "马某", (Role.CLERK,), "county", email="bad-email")
        )
    assert "email" in refused.value.fields
    with pytest.raises(InvalidInput, match="姓名不能超过 64 个字符"):
        accounts.add_user(svc, admin, NewAccount("ma.z", "马" * 65, (Role.CLERK,), "county"))
    assert [
        u.username for u in accounts.list_users(svc, admin) if u.username.startswith("ma.")
    ] == []


def test_a_username_differing_from_an_account_only_in_case_is_refused(
    svc: Services, admin: Principal
) -> None:
    """``Wang.Clerk`` beside ``wang.clerk`` invites a slip at login and impersonation: every
    front end creates accounts here, so the page, the command and the API all refuse it,
    naming the account it looks like; nothing is written. Login still matches exactly."""
    for lookalike in ("Wang.Clerk", "WANG.CLERK"):
        with pytest.raises(InvalidInput) as refused:
            accounts.add_user(
                svc, admin, NewAccount(lookalike, "王某", (Role.CLERK,), "county"), generate=True
            )
        assert str(refused.value).startswith(
            f"用户名 {lookalike} 与已有用户 wang.clerk（王登记）只差大小写"
        )
        assert "wang.clerk（王登记）" in refused.value.fields["username"]
    with pytest.raises(InvalidInput, match="与已有用户 admin（系统管理员）只差大小写"):
        accounts.add_user(svc, admin, NewAccount("Admin", "某", (Role.ADMIN,), None))
    names = [u.username for u in accounts.list_users(svc, admin)]
    assert [n for n in names if n.lower() in ("wang.clerk", "admin")] == ["admin", "wang.clerk"]
    with_password(svc, admin, "wang.clerk")
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        sign_in(svc, "Wang.Clerk")


def test_login_and_security_logs_are_read_within_the_agency_tree(
    svc: Services, admin: Principal
) -> None:
    with_password(svc, admin)
    with_password(svc, admin, "liu.clerk")  # edu, below county
    accounts.add_user(
        svc, admin, NewAccount("ma.supervisor", "马督查", (Role.SUPERVISOR,), "edu"), generate=True
    )
    sign_in(svc)
    sign_in(svc, "liu.clerk")
    with pytest.raises(LoginRefused):
        sign_in(svc, "no.body")
    everyone = {a.username for a in signin.login_log(svc, admin)}
    assert everyone == {"li.handler", "liu.clerk", "no.body"}
    county = {a.username for a in signin.login_log(svc, acting(svc, "chen.supervisor"))}
    assert county == {"li.handler", "liu.clerk"}
    edu = {a.username for a in signin.login_log(svc, acting(svc, "ma.supervisor"))}
    assert edu == {"liu.clerk"}
    with pytest.raises(ActionNotAllowed):
        signin.login_log(svc, acting(svc, "zhang.head"))
    changes = logs.security_log(svc, acting(svc, "ma.supervisor"))
    assert {(e.action, e.target) for e in changes} == {
        ("password_set", "liu.clerk"),
        ("user_added", "ma.supervisor"),
        ("user_added", "liu.clerk"),
        ("user_added", "sun.head"),
    }
    assert all(e.channel == "cli:pytest" for e in changes if e.actor == "admin")
