"""The incident list's agency filter (``/incidents``, TestClient, both databases): a reader
whose scope holds several agencies picks one, with those below it if asked; a reader of one
agency gets no filter; an agency outside the reader's scope is refused as the search page
refuses it. The browser walk of the list is ``tests/browser/test_opinion.py``'s."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from govflow.workflow import services
from tests.principals import acting
from tests.web_support import page_client, signed_in

DETECTION = {
    "platform": "微博",
    "link": "https://weibo.com/demo/1",
    "summary": "多条帖文转发量上升",
    "detected_at": "2025-09-22T08:30",
    "topic": "食品药品",
    "lead_department": "县教育局",
}


@pytest.fixture
def client(svc: services.Services, engine: Engine) -> Iterator[TestClient]:
    with page_client(svc, engine, ("li.handler", "chen.supervisor")) as test_client:
        yield test_client


def incident(svc: services.Services, agency: str, clerk: str, title: str) -> str:
    return services.open_case(
        svc,
        case_type="incident",
        agency_code=agency,
        principal=acting(svc, clerk),
        payload={**DETECTION, "title": title},
    )


def listed(html: str) -> set[str]:
    """The incidents' numbers the list shows."""
    return set(re.findall(r'<td><a href="/cases/[^"]+">([^<]+)</a></td>', html))


def test_a_supervisor_narrows_the_list_to_one_agency_or_its_tree(
    client: TestClient, svc: services.Services
) -> None:
    county = incident(svc, "county", "wang.clerk", "网传县城区停水")
    edu = incident(svc, "edu", "liu.clerk", "网传某小学食堂使用过期食材")
    signed_in(client, svc, "chen.supervisor")
    page = client.get("/incidents").text
    assert listed(page) == {county, edu}
    assert '<label for="i-agency">机关' in page
    offered = re.findall(r'<option value="([a-z]+)"', page)
    assert offered == ["county", "edu", "housing"]
    assert listed(client.get("/incidents?agency=edu").text) == {edu}
    alone = client.get("/incidents?agency=county").text
    assert listed(alone) == {county}
    assert '<option value="county" selected>' in alone
    tree = client.get("/incidents?agency=county&include_children=1").text
    assert listed(tree) == {county, edu}
    assert 'id="i-include_children" name="include_children" value="1" checked' in tree
    assert listed(client.get("/incidents?agency=housing").text) == set()


def test_a_reader_of_one_agency_gets_no_filter_and_another_agency_is_refused(
    client: TestClient, svc: services.Services
) -> None:
    incident(svc, "county", "wang.clerk", "网传县城区停水")
    incident(svc, "edu", "liu.clerk", "网传某小学食堂使用过期食材")
    signed_in(client, svc, "li.handler")
    page = client.get("/incidents")
    assert page.status_code == 200
    assert 'id="incident-filter"' not in page.text
    assert len(listed(page.text)) == 1
    for asked in ("edu", "nowhere"):
        refused = client.get(f"/incidents?agency={asked}")
        searched = client.get(f"/search?agency={asked}")
        assert refused.status_code == searched.status_code == 404, asked
        message = re.search(r'id="search-message">([^<]+)<', searched.text)
        assert message is not None
        assert f'id="incidents-message">{message.group(1)}<' in refused.text
        assert listed(refused.text) == set()
