"""Where a notification says to act (TestClient, both databases; issue 12's exploratory
pass): the notification centre links to the case page, not to ``govflow case show …`` — a
command line nobody reading the page can use — and a message stored with that line before
is shown without it. The e-mail's entry (the case's web address, when the settings know
it) is ``test_delivery.py``'s."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from govflow.workflow import services
from tests.integration.conftest import Flow
from tests.integration.escalating import HEAD, LI, Sweeper, accepted_case, fired
from tests.principals import acting
from tests.web_support import page_client, signed_in


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, (LI, HEAD)) as test_client:
        yield test_client


def _messages(page: str) -> list[str]:
    """Each row's message cell as a person reads it, with the link it carries."""
    cells = re.findall(r'<td class="message">(.*?)</td>', page, re.S)
    return [html.unescape(cell) for cell in cells]


def test_the_notification_centre_links_to_the_case_instead_of_a_command_line(
    client: TestClient, flow: Flow
) -> None:
    ref = accepted_case(flow)
    assert Sweeper(flow).at("2025-10-23 00:01") == ["reply:assignee_5_days:0:0"]
    signed_in(client, flow.svc, LI)
    shown = _messages(client.get("/notifications").text)
    assert len(shown) == 1
    assert shown[0].startswith(f"【预警】{ref} 答复期限还剩 5 个工作日\n")
    assert "govflow case show" not in shown[0] and "办理入口：" not in shown[0]
    assert f'<a class="entry" href="/cases/{quote(ref, safe="")}">办理入口</a>' in shown[0]

    # A message stored before (its body ended 办理入口：govflow case show …) reads the same.
    key = next(iter(fired(flow, ref).values())).key
    with flow.engine.begin() as conn:
        stored = conn.execute(text("SELECT message FROM firings WHERE key = :k"), {"k": key})
        message = stored.scalar_one()
        old = message.replace(
            "经办人：李经办。", f"经办人：李经办。办理入口：govflow case show {ref}"
        )
        assert old != message
        conn.execute(text("UPDATE firings SET message = :m WHERE key = :k"), {"m": old, "k": key})
    assert _messages(client.get("/notifications").text) == shown
    assert services.my_firings(flow.svc, acting(flow.svc, LI).as_reader())[0].message == message
