"""Search across cases in a real browser (issue 12: "search across cases (the filters of
the API) with export"): a handler finds a request by words of its description, pages the
result, downloads it as CSV; a supervisor searching for an applicant's name finds nothing
(the name is masked for them); a value that is not a date is named beside its field."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Browser, expect

from govflow.workflow import services
from tests.browser.conftest import LiveServer
from tests.browser.test_workbench import Shots, log_in, new_page, server, shots, svc
from tests.principals import acting

__all__ = ["server", "shots", "svc"]  # the fixtures, shared with the workbench's tests


def _register(svc: services.Services, description: str, name: str = "张三") -> str:
    intake = {
        "applicant": {
            "kind": "natural_person",
            "name": name,
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        "description": description,
        "channel": "in_person",
    }
    return services.register_request(
        svc, agency_code="county", principal=acting(svc, "wang.clerk"), intake=intake
    )


def test_a_handler_finds_a_request_by_its_words_and_exports_the_result(
    browser: Browser, server: LiveServer, svc: services.Services, shots: Shots
) -> None:
    budget = _register(svc, "2024年县级财政预算公开表")
    _register(svc, "某小区建设工程规划许可证", name="李四")
    ctx, page = new_page(browser)
    log_in(page, server, "li.handler")
    page.get_by_role("link", name="案件查询").click()
    page.get_by_label("内容、标题或申请人").fill("财政预算")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(budget)
    shots(page, "search-found")

    page.get_by_label("内容、标题或申请人").fill("李四")  # the applicant, for its own staff
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).not_to_contain_text(budget)

    page.get_by_label("内容、标题或申请人").fill("")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#search-message")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV（最多 10000 件）").click()
    body = download.value.path().read_bytes().decode("utf-8")
    assert body.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert table[0][:4] == ["编号", "类型", "机关", "状态"]
    assert {row[0] for row in table[1:]} >= {budget}
    assert all(row[2] == "示范县人民政府办公室" for row in table[1:])
    ctx.close()


def test_a_supervisor_cannot_find_whose_request_it_is_and_bad_dates_are_named(
    browser: Browser, server: LiveServer, svc: services.Services, shots: Shots
) -> None:
    budget = _register(svc, "2024年县级财政预算公开表")
    ctx, page = new_page(browser)
    log_in(page, server, "chen.supervisor")
    page.goto(f"{server.url}/search?text=张三")
    expect(page.get_by_text("没有符合条件的案件。")).to_be_visible()
    page.goto(f"{server.url}/search?text=预算")
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    expect(page.locator("#queue")).to_contain_text(budget)
    answer = page.goto(f"{server.url}/search?opened_from=2025-13-40")
    assert answer is not None and answer.status == 422
    expect(page.locator("#q-opened_from-err")).to_contain_text("不是有效日期")
    expect(page.locator("#queue")).to_have_count(0)  # nothing searched
    shots(page, "search-bad-date")
    ctx.close()
