"""Notice templates per agency, uploaded by an administrator (issue 13 item 1), on SQLite
and PostgreSQL: agency A's template fills A's notices and not B's; one for every agency
fills the others; a bad upload is refused naming the file and place, nothing written; only
an administrator may upload; removing one restores the default; another process (its own
services, its own cache) sees an upload at its next notice; the API does the same."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from govflow.app import build_services
from govflow.web.api.auth import CSRF_HEADER, SESSION_COOKIE
from govflow.workflow.errors import InvalidInput, NotFound, NotPermitted
from govflow.workflow.services import (
    Services,
    TemplateUpload,
    bootstrap_admin,
    list_templates,
    remove_template,
    template_words,
    upload_template,
)
from tests.api_support import ApiHarness
from tests.integration.test_notices import notice
from tests.notice_template_files import with_line
from tests.principals import acting

EDU_LINE = "示范县教育局专用：请注意查收。"
ALL_LINE = "本县统一措辞：如有疑问请致电。"


def admin(svc: Services):
    if bootstrap_admin(svc) is None:
        pass  # already there
    return acting(svc, "admin")


def register(flow, agency: str) -> str:
    flow.at("2025-09-26 10:00")
    return flow.register(who="liu.clerk" if agency == "edu" else "wang.clerk", agency=agency)


def receipt_text(flow, ref: str) -> tuple[str, str]:
    record, text_ = notice(flow, ref, "receipt", reader="system")
    return record.detail.get("template", ""), text_


def stored(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(text("SELECT count(*) FROM notice_templates")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM security_log")).scalar_one(),
        )


def test_an_agencys_upload_fills_its_notices_only_and_removal_restores(flow, engine) -> None:
    svc = flow.svc
    boss = admin(svc)
    other = build_services(engine, flow.clock, svc.calendar, svc.config, files=svc.files)
    register(flow, "edu")  # the other process has read the (empty) uploads once
    flow.svc = other
    register(flow, "edu")
    flow.svc = svc

    up = upload_template(
        svc,
        boss,
        TemplateUpload("receipt", with_line("receipt.docx", EDU_LINE), "edu", "教育.docx"),
    )
    assert up.active and up.agency_code == "edu" and up.filename == "教育.docx"
    flow.svc = other  # another process, its cache filled before the upload
    edu = register(flow, "edu")
    template, body = receipt_text(flow, edu)
    assert EDU_LINE in body and template == up.label
    county = register(flow, "county")
    template, body = receipt_text(flow, county)
    assert EDU_LINE not in body and template == "receipt.docx"

    everyone = upload_template(
        svc, boss, TemplateUpload("receipt", with_line("receipt.docx", ALL_LINE))
    )
    _, body = receipt_text(flow, register(flow, "county"))
    assert ALL_LINE in body
    _, body = receipt_text(flow, register(flow, "edu"))
    assert EDU_LINE in body and ALL_LINE not in body  # the agency's own comes first

    removed = remove_template(svc, boss, "receipt", "edu")
    assert removed.id == up.id and not removed.active and removed.removed_by == "admin"
    _, body = receipt_text(flow, register(flow, "edu"))
    assert ALL_LINE in body and EDU_LINE not in body
    remove_template(svc, boss, "receipt")
    template, body = receipt_text(flow, register(flow, "edu"))
    assert ALL_LINE not in body and EDU_LINE not in body and template == "receipt.docx"
    with pytest.raises(NotFound):
        remove_template(svc, boss, "receipt")

    history = list_templates(svc, boss, include_inactive=True)
    assert [u.id for u in history] == [up.id, everyone.id] and not any(u.active for u in history)
    assert list_templates(svc, boss) == []
    with engine.connect() as conn:
        logged = conn.execute(
            text("SELECT action, actor, target FROM security_log WHERE target LIKE 'notice%'")
        ).all()
    assert [tuple(r) for r in logged] == [
        ("template_uploaded", "admin", "notice_template:receipt"),
        ("template_uploaded", "admin", "notice_template:receipt"),
        ("template_removed", "admin", "notice_template:receipt"),
        ("template_removed", "admin", "notice_template:receipt"),
    ]


def test_a_bad_upload_is_refused_naming_the_place_and_nothing_is_written(flow, engine) -> None:
    svc = flow.svc
    boss = admin(svc)
    before = stored(engine)
    bad = with_line("receipt.docx", "请于{{ corection_due }}前补正")
    with pytest.raises(InvalidInput) as info:
        upload_template(svc, boss, TemplateUpload("receipt", bad, "edu", "坏.docx"))
    message = str(info.value)
    assert "上传的模板“坏.docx”（receipt，示范县教育局）" in message  # by name
    assert "段" in message and "未知占位符 'corection_due'" in message
    broken = with_line("receipt.docx", "{% if applicant %}没有结束")
    with pytest.raises(InvalidInput, match="模板语法错误"):
        upload_template(svc, boss, TemplateUpload("receipt", broken, "edu"))
    with pytest.raises(InvalidInput, match=r"不是 \.docx 文件"):
        upload_template(svc, boss, TemplateUpload("receipt", b"MZ\x90\x00", "edu"))
    with pytest.raises(InvalidInput, match="没有告知书种类") as unknown:
        upload_template(svc, boss, TemplateUpload("nonsense", with_line("receipt.docx", "x")))
    # The kinds to choose from by the code to type back, each with the title it prints.
    assert "correction（补正申请告知书）" in str(unknown.value)
    assert "case_file_cover（案卷封面）" in str(unknown.value)
    with pytest.raises(NotFound):
        upload_template(svc, boss, TemplateUpload("receipt", with_line("receipt.docx", "x"), "zz"))
    assert stored(engine) == before
    _, body = receipt_text(flow, register(flow, "edu"))
    assert "corection_due" not in body


def test_only_an_administrator_uploads(flow, engine) -> None:
    svc = flow.svc
    admin(svc)
    before = stored(engine)
    good = with_line("receipt.docx", EDU_LINE)
    for who in ("li.handler", "sun.head", "chen.supervisor"):
        with pytest.raises(NotPermitted, match="不是系统管理员"):
            upload_template(svc, acting(svc, who), TemplateUpload("receipt", good, "edu"))
        with pytest.raises(NotPermitted):
            list_templates(svc, acting(svc, who))
        with pytest.raises(NotPermitted):
            template_words(svc, acting(svc, who))
    assert stored(engine) == before


def test_the_words_shown_beside_an_uploads_codes(flow) -> None:
    words = template_words(flow.svc, admin(flow.svc), ["admin", "nobody"])
    assert words.kind("correction") == "补正申请告知书"
    assert words.agency("edu") == "示范县教育局" and words.agency(None) == "全部机关"
    assert words.person("nobody") == "nobody"  # no account of that name: as it was recorded
    assert words.person("admin").endswith("（admin）") and words.person("admin") != "admin"


@pytest.fixture
def api(svc: Services, engine: Engine) -> ApiHarness:
    return ApiHarness(svc, engine)


def test_upload_list_and_remove_over_the_api(api: ApiHarness, flow, engine) -> None:
    flow.at("2025-09-26 10:00")  # the hour the cases below are registered at
    session_id, csrf = api.session(api.admin.username)
    boss = {"Cookie": f"{SESSION_COOKIE}={session_id}", CSRF_HEADER: csrf}
    url = "/api/v1/notices/templates/receipt"
    good = with_line("receipt.docx", EDU_LINE)
    head = api.headers("sun.head")  # a token (its creation is in the security log)
    with api.client() as http:
        before = stored(engine)
        refused = http.put(url, params={"agency": "edu"}, content=good, headers=head)
        assert refused.status_code == 403, refused.text
        bad = with_line("receipt.docx", "{{ nope }}")
        answer = http.put(url, params={"agency": "edu"}, content=bad, headers=boss)
        assert answer.status_code == 400, answer.text
        assert "未知占位符 'nope'" in answer.text and "上传的模板" in answer.text
        assert stored(engine) == before

        raw = http.put(url, params={"agency": "edu"}, content=good, headers=boss)
        assert raw.status_code == 200, raw.text
        assert raw.json()["agency"] == "edu" and raw.json()["active"] is True
        form = http.put(
            url, files={"file": ("全县.docx", with_line("receipt.docx", ALL_LINE))}, headers=boss
        )
        assert form.status_code == 200, form.text
        assert form.json()["filename"] == "全县.docx" and form.json()["agency"] is None
        listed = http.get("/api/v1/notices/templates", headers=boss).json()
        assert sorted((t["agency"] or "") for t in listed) == ["", "edu"]

        _, body = receipt_text(flow, register(flow, "edu"))
        assert EDU_LINE in body
        gone = http.delete(url, params={"agency": "edu"}, headers=boss)
        assert gone.status_code == 204, gone.text
        _, body = receipt_text(flow, register(flow, "edu"))
        assert ALL_LINE in body and EDU_LINE not in body
        assert http.delete(url, params={"agency": "edu"}, headers=boss).status_code == 404
