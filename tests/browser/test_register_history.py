"""The registration form shows the applicant's record before saving (issue 12, D-7 and
Art. 36(6)): this month's and this year's requests, and earlier requests for the same
information, as the clerk types; nothing is registered by looking."""

from __future__ import annotations

from playwright.sync_api import Browser, expect
from sqlalchemy import Engine, text

from govflow.workflow import services
from tests.browser.conftest import LiveServer
from tests.browser.test_search import _register
from tests.browser.test_workbench import Shots, labelled, log_in, new_page, server, shots, svc

__all__ = ["server", "shots", "svc"]  # the fixtures, shared with the workbench's tests


def test_the_clerk_sees_the_applicants_record_before_saving(
    browser: Browser,
    server: LiveServer,
    svc: services.Services,
    pg_engine: Engine,
    shots: Shots,
) -> None:
    first = _register(svc, "2024年县级财政预算公开表")
    _register(svc, "某小区建设工程规划许可证")
    ctx, page = new_page(browser)
    log_in(page, server, "wang.clerk")
    page.goto(f"{server.url}/requests/new")
    history = page.locator("#applicant-history")
    expect(history).to_contain_text("填写申请人类别、证件号和申请内容后")
    page.get_by_label(labelled("申请人类别")).select_option("natural_person")
    page.get_by_label(labelled("证件号")).fill("610926199001011234")
    page.get_by_label(labelled("申请内容")).fill("2024年 县级财政预算公开表！")  # same words
    page.get_by_label(labelled("申请人")).fill("张三")  # a change: the record is asked again
    expect(page.locator("#history-month")).to_have_text("2 件")
    expect(page.locator("#history-year")).to_have_text("2 件")
    expect(page.locator("#history-same")).to_contain_text(first)
    expect(history.get_by_role("status")).to_contain_text("第三十六条第六项")
    shots(page, "register-applicant-history")

    page.get_by_label(labelled("证件号")).fill("110101199003071234")  # someone else
    page.get_by_label(labelled("申请人")).fill("王五")
    expect(page.locator("#history-month")).to_have_text("0 件")
    expect(page.locator("#history-same")).to_have_text("无")
    with pg_engine.connect() as conn:  # looking registered nothing
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 2
    ctx.close()


def test_only_an_agencys_staff_may_ask_for_an_applicants_record(
    browser: Browser, server: LiveServer, svc: services.Services
) -> None:
    _register(svc, "2024年县级财政预算公开表")
    ctx, page = new_page(browser)
    log_in(page, server, "chen.supervisor")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = page.request.post(
        f"{server.url}/requests/new/applicant",
        form={
            "csrf_token": token or "",
            "applicant.kind": "natural_person",
            "applicant.id_number": "610926199001011234",
            "description": "2024年县级财政预算公开表",
        },
    )
    assert answer.status == 403
    assert "不能查看申请人的申请记录" in answer.text()
    assert "2 件" not in answer.text() and "1 件" not in answer.text()
    ctx.close()
