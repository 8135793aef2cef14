"""Rules by the date they governed, as a clerk meets them at the command line (SPEC L-1, D-2).

A request received in 2018 follows the 2008 regulations (it used to end in a traceback);
statutory limits cannot be edited in the settings, and what the settings may change (the
correction period) moves no notice already sent; registered post starts the clock on the
signed-for date; a refusal is never given on the spot. One office (one database) serves the
whole module: each ``govflow`` call is a process, and the rules are tested in depth below
the command line (tests/unit/test_editions.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.test_cli_workflow import ZHANG_ID, ZHANG_PHONE, Office, _office

chinese_calendar = pytest.importorskip("chinese_calendar")

PERSON = ["--applicant-kind", "natural_person", "--name", "张三", "--id-number", ZHANG_ID,
          "--phone", ZHANG_PHONE, "--description", "2018年县级财政预算执行情况"]  # fmt: skip


def nth_working_day_after(start: str, n: int) -> str:
    day = chinese_calendar.find_workday(n - 1, date.fromisoformat(start) + timedelta(days=1))
    return day.isoformat()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return _office(tmp_path_factory.mktemp("editions"))


def register(office: Office, *extra: str, now: str) -> dict:
    return office.json("request", "register", "--as", "wang.clerk", *PERSON, *extra, now=now)


def reply(shown: dict) -> dict:
    return next(d for d in shown["deadlines"] if d["key"] == "reply")


def test_a_2018_request_follows_the_2008_regulations(office: Office) -> None:
    shown = register(office, "--channel", "in_person", "--received-on", "2018-03-01",
                     now="2018-03-01T10:00")  # fmt: skip
    assert shown["ref"] == "示政办依申〔2018〕0001号"
    limit = reply(shown)
    assert (limit["amount"], limit["due_date"]) == (15, nth_working_day_after("2018-03-01", 15))
    assert limit["explanation"][0].startswith("依据《条例》(2008) 第二十四条：")
    refused = office.fails(2, "case", "act", shown["ref"], "extend", "--as", "zhang.head",
                           "--set", "days=18", "--set", "reason=材料多")  # fmt: skip
    assert "最长不得超过 15 个工作日（依据《条例》(2008) 第二十四条）" in refused
    extended = office.json("case", "act", shown["ref"], "extend", "--as", "zhang.head",
                           "--set", "days=15", "--set", "reason=材料多")  # fmt: skip
    due = nth_working_day_after("2018-03-01", 30)
    assert extended["deadlines"]["reply"]["due"].startswith(due)


def test_both_sides_of_2019_05_15(office: Office) -> None:
    old = register(office, "--channel", "in_person", "--received-on", "2019-05-10",
                   now="2019-05-10T10:00")  # fmt: skip
    new = register(office, "--channel", "in_person", "--received-on", "2019-05-15",
                   now="2019-05-15T10:00")  # fmt: skip
    assert reply(old)["due_date"] == nth_working_day_after("2019-05-10", 15)
    assert reply(new)["due_date"] == nth_working_day_after("2019-05-15", 20)


def test_a_receipt_before_2008_05_01_is_one_line_and_writes_nothing(office: Office) -> None:
    message = office.fails(2, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
                           *PERSON, "--received-on", "2008-04-30", now="2008-04-30T10:00")  # fmt: skip
    # Refused by the date range every case type shares (issue 16), before any edition is looked up.
    assert (
        "申请送达日 received_on 2008-04-30 早于《政府信息公开条例》施行之日 2008-05-01" in message
    )


def test_statutory_limits_are_not_settings(office: Office, tmp_path: Path) -> None:
    settings = tmp_path / "local.yaml"
    settings.write_text("disclosure:\n  max_extension_days: 30\n", "utf-8")
    local = Office(office.home, {**office.env, "GOVFLOW_SETTINGS": str(settings)})
    message = local.fails(2, "case", "list", "--as", "system")
    assert str(settings) in message
    assert "disclosure：max_extension_days 是《条例》规定的法定期限" in message


def test_the_correction_period_setting_means_what_it_says_and_moves_no_open_case(
    office: Office, tmp_path: Path
) -> None:
    settings = tmp_path / "local.yaml"
    settings.write_text("disclosure:\n  correction_period_days: 30\n", "utf-8")
    local = Office(office.home, {**office.env, "GOVFLOW_SETTINGS": str(settings)})
    ref = register(local, "--channel", "in_person", now="2025-09-22T10:00")["ref"]
    local.act(ref, "start_review", "li.handler")
    notice = local.json("case", "act", ref, "request_correction", "--as", "li.handler",
                        "--set", "items=请写明文件名称")  # fmt: skip
    due = nth_working_day_after("2025-09-22", 30)
    assert notice["deadlines"]["correction_period"]["due"].startswith(due)
    settings.write_text("disclosure:\n  correction_period_days: 10\n", "utf-8")
    later = local.json("case", "act", ref, "assign", "--as", "zhang.head",
                       "--set", "assignee=li.handler", now="2025-09-23T10:00")  # fmt: skip
    assert later["deadlines"]["correction_period"]["due"].startswith(due)


def test_registered_post_starts_the_clock_on_the_signed_for_date(office: Office) -> None:
    post = register(office, "--channel", "registered_post", "--received-on", "2025-09-22",
                    now="2025-09-23T09:00")  # fmt: skip
    assert post["state"] == "registered"
    assert post["request"]["receipt_date"] == "2025-09-22"
    assert reply(post)["due_date"] == nth_working_day_after("2025-09-22", 20)
    # An ordinary letter still waits for the confirmation with the applicant.
    letter = register(office, "--channel", "letter", "--received-on", "2025-09-22",
                      now="2025-09-23T09:00")  # fmt: skip
    assert letter["state"] == "received"


def test_no_refusal_on_the_spot(office: Office) -> None:
    message = office.fails(3, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
                           *PERSON, "--on-the-spot", "withheld.state_secret", "--summary", "涉密",
                           now="2025-09-24T10:00")  # fmt: skip
    assert "须经审核并由负责人审批后答复" in message
    shown = register(office, "--channel", "in_person", "--on-the-spot", "disclosed",
                     "--summary", "已主动公开", "--where", "县政府网站·财政预决算专栏",
                     now="2025-09-24T10:00")  # fmt: skip
    assert shown["state"] == "replied"
    assert shown["events"][-1]["payload"]["where"] == "县政府网站·财政预决算专栏"
