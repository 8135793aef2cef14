"""A form's refusals in the words of the form (TestClient, both databases; issue 12's second
exploratory pass). The engine names a field by its label and the name its input takes
(``撤回日 withdrawn_on``: what ``--set`` on the command line and the API's ``fields`` use);
on a page the input is the field itself, and the name was a code a person read beside it:
``申请送达日 received_on 2030-01-01 超出可设定的范围``, ``法人或其他组织须注明类别 subkind``.
The page shows the label alone; the command line keeps both."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from govflow.workflow.errors import InvalidInput
from tests.integration.conftest import Flow
from tests.web_support import page_client, signed_in

CLERK, LI = "wang.clerk", "li.handler"
CODE = re.compile(r"\b(?:received_on|withdrawn_on|subkind|applicant|kind)\b")


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, (CLERK, LI)) as test_client:
        yield test_client


def _messages(page: str) -> list[str]:
    """What the page says is wrong: the alert above the form and each field's message."""
    found = re.findall(r'class="(?:field-error|refusal)"[^>]*>([^<]*)<', page)
    return [html.unescape(text) for text in found]


def _register(client: TestClient, csrf: str, **typed: str) -> list[str]:
    form = {
        "csrf_token": csrf,
        "applicant.kind": "natural_person",
        "applicant.name": "张三",
        "applicant.id_number": "610926199001011234",
        "applicant.phone": "13800000000",
        "description": "2024年县级财政预算执行情况",
        "channel": "registered_post",
        **typed,
    }
    answer = client.post("/requests/new", data=form)
    assert answer.status_code == 422, answer.text[-1500:]
    return _messages(answer.text)


def test_the_registration_form_names_fields_by_their_labels(client: TestClient, flow: Flow) -> None:
    flow.at("2025-09-22 10:00")
    csrf = signed_in(client, flow.svc, CLERK)
    far = _register(client, csrf, received_on="2030-01-01")
    assert "申请送达日 2030-01-01 超出可设定的范围（最迟为今天起 366 日内，即 2026-09-23）" in far
    legal = _register(client, csrf, **{"applicant.kind": "legal_person"})
    assert "法人或其他组织须注明组织类别" in legal
    person = _register(client, csrf, **{"applicant.subkind": "commercial"})
    assert "自然人不应填写组织类别" in person
    for shown in (far, legal, person):
        assert not any(CODE.search(text) for text in shown), shown


def test_an_action_form_names_fields_by_their_labels(client: TestClient, flow: Flow) -> None:
    flow.at("2025-09-22 10:00")
    ref = flow.register()
    csrf = signed_in(client, flow.svc, LI)
    page = client.get(f"/cases/{quote(ref)}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    sent = {"csrf_token": csrf, "version": version[1], "withdrawn_on": "2025-09-30", "reason": "x"}
    answer = client.post(f"/cases/{quote(ref)}/actions/withdraw", data=sent)
    assert answer.status_code == 422
    shown = _messages(answer.text)
    assert "撤回日 2025-09-30 晚于今天 2025-09-22" in shown
    assert not any(CODE.search(text) for text in shown), shown
    # The command line still reads the name it types after --set.
    with pytest.raises(InvalidInput, match="撤回日 withdrawn_on 2025-09-30 晚于今天"):
        flow.act(ref, LI, "withdraw", withdrawn_on="2025-09-30", reason="x")
