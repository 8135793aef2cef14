"""Finding cases by their text, channel and closing date (issue 11), on SQLite and PostgreSQL.

A list's ``text`` looks in what each type declares searchable (a request's description and
applicant, an incident's title and summary); the applicant only for the staff of the case's
agency, who see it unmasked — a supervisor must not learn whose request it is by searching
for a name. ``channel`` is how the case arrived; a closing range lists the cases that left
their open states in it. The columns are filled for cases made before them by the same
refill ``govflow init`` runs after migrating.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from govflow.app import fill_facts
from govflow.workflow import services
from govflow.workflow.errors import InvalidInput
from tests.principals import acting

INCIDENT = {
    "title": "网传某小学食堂使用过期食材",
    "summary": "微博多条帖文配图",
    "platform": "微博",
    "topic": "食品药品",
}


def found(flow, who: str, **filters: object) -> set[str]:
    page = services.list_cases(
        flow.svc, services.identify(flow.svc, who), services.CaseFilter(**filters), limit=500
    )
    return {c.ref for c in page.cases}


@pytest.fixture
def office(flow):
    """A request in person by 张三 about the budget, one online by 李四 about a permit that is
    then withdrawn, and an incident."""
    budget = flow.register(intake=flow.intake())
    permit = flow.register(
        intake=flow.intake(
            applicant=flow.person("李四", "610926199202021234"),
            description="某小区建设工程规划许可证（ABC-17号）",
            channel="online",
        )
    )
    flow.act(permit, "li.handler", "confirm_receipt", receipt_date=flow.today())
    flow.at("2025-09-24 15:00")
    flow.act(permit, "wang.clerk", "withdraw", reason="申请人书面撤回")
    incident = services.open_case(
        flow.svc,
        case_type="incident",
        agency_code="county",
        principal=acting(flow.svc, "wang.clerk"),
        payload=INCIDENT,
    )
    return budget, permit, incident


def test_text_finds_descriptions_and_titles_for_every_reader(flow, office) -> None:
    budget, permit, incident = office
    for who in ("li.handler", "chen.supervisor"):
        assert found(flow, who, text="预算") == {budget}
        assert found(flow, who, text="过期食材") == {incident}
        assert found(flow, who, text="abc-17", open_only=False) == {permit}  # any case
    assert found(flow, "li.handler", text="没有这样的申请") == set()
    assert found(flow, "li.handler", text="%") == set()  # a wildcard is a character
    assert found(flow, "li.handler", text="abc_17", open_only=False) == set()  # so is _
    assert found(flow, "li.handler", text="abc/17", open_only=False) == set()  # the escape
    assert found(flow, "li.handler", text="abc-1_", open_only=False) == set()


def test_the_applicant_is_searched_only_by_those_who_see_it(flow, office) -> None:
    budget, _, _ = office
    assert found(flow, "li.handler", text="张三") == {budget}
    assert found(flow, "wang.clerk", text="张三") == {budget}
    assert found(flow, "chen.supervisor", text="张三") == set()  # masked for the supervisor
    assert found(flow, "chen.supervisor", text="6109261990") == set()
    assert found(flow, "li.handler", text="6109261990") == {budget}  # the id number too


def test_channel_and_closing_dates(flow, office) -> None:
    budget, permit, incident = office
    assert found(flow, "li.handler", channel="online", open_only=False) == {permit}
    assert found(flow, "li.handler", channel="in_person") == {budget}
    assert found(flow, "li.handler", channel="微博") == {incident}
    # a closing range alone asks for closed cases (the open-only default would leave none)
    assert found(flow, "li.handler", closed_from=_d("2025-09-24")) == {permit}
    assert found(flow, "li.handler", closed_to=_d("2025-09-24")) == {permit}
    assert found(flow, "li.handler", closed_from=_d("2025-09-25")) == set()
    assert found(flow, "li.handler", closed_to=_d("2025-09-23")) == set()


def test_bad_filters_are_refused_in_chinese(flow, office) -> None:
    with pytest.raises(InvalidInput, match="检索文字过长"):
        found(flow, "li.handler", text="预" * (services.MAX_SEARCH + 1))
    with pytest.raises(InvalidInput, match="closed_from"):
        found(flow, "li.handler", closed_from=_d("1999-01-01"))


def test_unknown_states_channels_and_outcomes_are_refused_with_what_there_is(flow, office) -> None:
    """Not an empty list, as if there were no such cases: the values each installed type
    knows, with their Chinese names, as for an unknown type or agency."""
    with pytest.raises(InvalidInput, match=r"没有状态 'bogus'（可选：.*handling（办理中）") as e:
        found(flow, "li.handler", states=frozenset({"bogus"}))
    assert set(e.value.fields) == {"state"}
    with pytest.raises(
        InvalidInput, match=r"没有渠道 'pigeon'（可选：.*in_person（当面提交）.*微博"
    ):
        found(flow, "li.handler", channel="pigeon")
    with pytest.raises(InvalidInput, match=r"没有答复类型 'bogus'（可选：.*disclosed（"):
        found(flow, "li.handler", outcome="bogus", open_only=False)
    with pytest.raises(InvalidInput, match="没有渠道 '微博'"):  # not a request's channel
        found(flow, "li.handler", case_type="disclosure_request", channel="微博")
    # what the types know still finds (an incident's platform is free text: its cases')
    assert found(flow, "li.handler", states=frozenset({"handling"})) == set()
    assert found(flow, "li.handler", channel="微博") == {office[2]}
    assert found(flow, "li.handler", outcome="other.misc", open_only=False) == {office[1]}


def test_cases_made_before_the_columns_are_indexed_by_the_refill(flow, office) -> None:
    budget, permit, incident = office
    with flow.engine.begin() as conn:  # as a database migrated to 0013 finds them
        conn.execute(
            text(
                "UPDATE cases SET channel = NULL, closed_at = NULL, search_text = NULL,"
                " search_personal = NULL, facts = NULL"
            )
        )
    assert found(flow, "li.handler", text="预算") == set()
    assert fill_facts(flow.engine) == 3  # what ``govflow init`` runs after migrating
    assert found(flow, "li.handler", text="预算") == {budget}
    assert found(flow, "li.handler", text="张三") == {budget}
    assert found(flow, "li.handler", text="食材") == {incident}
    assert found(flow, "li.handler", closed_from=_d("2025-09-24")) == {permit}
    assert found(flow, "li.handler", channel="online", open_only=False) == {permit}


def _d(iso: str) -> date:
    return date.fromisoformat(iso)
