"""The supervisor's chain verification and checkpoints in a real browser: a clean history
verifies clean, an event edited in the database is found (case, position, reason); a
checkpoint is taken with a POST carrying the CSRF token, downloads as the file ``audit
checkpoint`` writes, and is listed with its digest. Anyone else is refused (403) and
sees no link.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from playwright.sync_api import Browser, expect
from sqlalchemy import Engine, text

from govflow.workflow import services
from govflow.workflow.clock import FakeClock
from tests.browser.conftest import LiveServer
from tests.browser.test_workbench import (  # noqa: F401  (fixtures: server, svc)
    Shots,
    log_in,
    new_page,
    server,
    shots,
    svc,
)
from tests.principals import acting


def _request(built: services.Services, agency: str, clerk: str, description: str) -> str:
    person = {"kind": "natural_person", "name": "张三", "id_number": "610926199001011234"}
    intake = {"applicant": {**person, "phone": "13800000000"}, "description": description}
    return services.register_request(
        built,
        agency_code=agency,
        principal=acting(built, clerk),
        intake={**intake, "channel": "in_person"},
    )


def _tamper(engine: Engine, ref: str) -> None:
    with engine.begin() as conn:
        case_id = conn.execute(text("SELECT id FROM cases WHERE ref = :r"), {"r": ref}).scalar_one()
        conn.execute(
            text("UPDATE events SET actor = 'intruder' WHERE case_id = :c AND seq = 1"),
            {"c": case_id},
        )


def test_the_supervisor_verifies_the_tree_and_takes_a_checkpoint(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
    pg_engine: Engine,
    clock: FakeClock,
    shots: Shots,  # noqa: F811
) -> None:
    first = _request(svc, "county", "wang.clerk", "预算一")
    _request(svc, "edu", "liu.clerk", "预算二")  # a department below the county: in the tree

    ctx, page = new_page(browser)
    log_in(page, server, "chen.supervisor")
    page.get_by_role("link", name="历史校验").click()
    expect(page.get_by_role("heading", name="校验历史记录")).to_be_visible()
    page.locator("#run-verify").click()
    expect(page.locator("#cases-checked")).to_have_text("2")
    expect(page.locator("#findings-count")).to_have_text("0")
    expect(page.locator("#verify-clean")).to_be_visible()

    _tamper(pg_engine, first)
    page.locator("#run-verify").click()
    expect(page.locator("#cases-checked")).to_have_text("2")
    rows = page.locator("#findings tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator("td").nth(0)).to_have_text(first)
    expect(rows.first.locator("td").nth(1)).to_have_text("1")
    expect(rows.first.locator("a")).to_have_attribute("href", f"/cases/{quote(first)}/audit")
    assert page.locator("#findings-count").inner_text() != "0"
    shots(page, "verify-findings")

    # A checkpoint: the file, its header naming the tree, then the list with its digest.
    page.get_by_role("link", name="检查点").click()
    expect(page.locator("#checkpoints")).to_have_count(0)
    with page.expect_download() as info:
        page.locator("#take-checkpoint").click()
    lines = open(info.value.path(), encoding="utf-8").read().splitlines()
    header, trailer = json.loads(lines[0]), json.loads(lines[-1])
    assert header["scope"] == {"agency": "county", "include_children": True}
    assert header["cases"] == 2 and len(lines) == 4
    page.reload()
    listed = page.locator("#checkpoints tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("示范县人民政府办公室（含下级机关）")
    expect(listed.locator(".digest")).to_have_text(trailer["digest"])
    expect(listed).to_contain_text("陈督查（chen.supervisor）")
    shots(page, "checkpoints")
    ctx.close()


def test_only_supervisors_verify_or_take_checkpoints(
    browser: Browser,
    server: LiveServer,  # noqa: F811
    svc: services.Services,  # noqa: F811
) -> None:
    ctx, page = new_page(browser)
    log_in(page, server, "li.handler")
    expect(page.get_by_role("link", name="历史校验")).to_have_count(0)
    for path in ("/supervise/verify", "/supervise/checkpoints"):
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 403
        expect(page.locator("main")).to_contain_text("不是督查")
    # A POST with the session's token is refused too, and takes nothing.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    for path in ("/supervise/verify", "/supervise/checkpoints"):
        answer = page.request.post(f"{server.url}{path}", form={"csrf_token": token or ""})
        assert answer.status == 403
    # Without the token, a supervisor's POST is refused before anything runs.
    ctx.close()
    ctx, page = new_page(browser)
    log_in(page, server, "chen.supervisor")
    answer = page.request.post(f"{server.url}/supervise/checkpoints", form={})
    assert answer.status != 200 and "attachment" not in answer.headers.get(
        "content-disposition", ""
    )
    page.goto(f"{server.url}/supervise/checkpoints")
    expect(page.locator("#checkpoints")).to_have_count(0)
    ctx.close()
