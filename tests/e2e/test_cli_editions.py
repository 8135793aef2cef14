"""Rules by the date they governed, as a clerk meets them at the command line (SPEC L-1, D-2).

A request received in 2018 follows the 2008 regulations (it used to end in a traceback);
statutory limits cannot be edited in the settings, and what the settings may change (the
correction period) moves no notice already sent; registered post starts the clock on the
signed-for date; a refusal is never given on the spot.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.test_cli_workflow import ZHANG_ID, ZHANG_PHONE, Office, _office

chinese_calendar = pytest.importorskip("chinese_calendar")


def nth_working_day_after(start: str, n: int) -> str:
    day = chinese_calendar.find_workday(n - 1, date.fromisoformat(start) + timedelta(days=1))
    return day.isoformat()


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return _office(tmp_path)


def reply(office: Office, ref: str) -> dict:
    shown = office.json("case", "show", ref)
    return next(d for d in shown["deadlines"] if d["key"] == "reply")


def test_a_2018_request_follows_the_2008_regulations(office: Office) -> None:
    ref = office.register("--received-on", "2018-03-01", now="2018-03-01T10:00")
    assert ref == "示政办依申〔2018〕0001号"
    limit = reply(office, ref)
    assert limit["amount"] == 15
    assert limit["due_date"] == nth_working_day_after("2018-03-01", 15)
    assert limit["explanation"][0].startswith("依据《条例》(2008) 第二十四条：")
    text = office.ok("case", "show", ref)
    assert "依据《条例》(2008) 第二十四条" in text
    office.act(ref, "start_review", "li.handler", now="2018-03-02T10:00")
    office.act(ref, "accept", "li.handler")
    refused = office.fails(2, "case", "act", ref, "extend", "--as", "zhang.head",
                           "--set", "days=18", "--set", "reason=材料多")  # fmt: skip
    assert "最长不得超过 15 个工作日（依据《条例》(2008) 第二十四条）" in refused
    office.act(ref, "extend", "zhang.head", "days=15", "reason=材料多")
    assert reply(office, ref)["due_date"] == nth_working_day_after("2018-03-01", 30)


def test_both_sides_of_2019_05_15(office: Office) -> None:
    old = office.register("--received-on", "2019-05-10", now="2019-05-10T10:00")
    new = office.register("--received-on", "2019-05-15", now="2019-05-15T10:00")
    assert reply(office, old)["due_date"] == nth_working_day_after("2019-05-10", 15)
    assert reply(office, new)["due_date"] == nth_working_day_after("2019-05-15", 20)


def test_a_receipt_before_2008_05_01_is_one_line_and_writes_nothing(office: Office) -> None:
    message = office.fails(2, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
                           "--applicant-kind", "natural_person", "--name", "张三",
                           "--id-number", ZHANG_ID, "--phone", ZHANG_PHONE, "--description", "x",
                           "--received-on", "2008-04-30", now="2008-04-30T10:00")  # fmt: skip
    assert "收到申请之日 2008-04-30 早于《条例》(2008)施行之日 2008-05-01" in message
    assert office.json("case", "list", now="2008-05-05T10:00") == []
    assert office.register(now="2008-05-05T10:00") == "示政办依申〔2008〕0001号"


def test_statutory_limits_are_not_settings(office: Office, tmp_path: Path) -> None:
    settings = tmp_path / "local.yaml"
    settings.write_text("disclosure:\n  max_extension_days: 30\n", "utf-8")
    office.env["GOVFLOW_SETTINGS"] = str(settings)
    message = office.fails(2, "case", "list")
    assert str(settings) in message
    assert "disclosure：max_extension_days 是《条例》规定的法定期限" in message


def test_the_correction_period_setting_means_what_it_says_and_moves_no_open_case(
    office: Office, tmp_path: Path
) -> None:
    settings = tmp_path / "local.yaml"
    settings.write_text("disclosure:\n  correction_period_days: 30\n", "utf-8")
    office.env["GOVFLOW_SETTINGS"] = str(settings)
    ref = office.register(now="2025-09-22T10:00")
    office.act(ref, "start_review", "li.handler")
    office.act(ref, "request_correction", "li.handler", "items=请写明文件名称")
    period = next(d for d in office.json("case", "show", ref)["deadlines"]
                  if d["key"] == "correction_period")  # fmt: skip
    assert period["amount"] == 30
    assert period["due_date"] == nth_working_day_after("2025-09-22", 30)
    assert "30个工作日" in period["explanation"][0]
    settings.write_text("disclosure:\n  correction_period_days: 10\n", "utf-8")
    office.act(ref, "assign", "zhang.head", "assignee=li.handler", now="2025-09-23T10:00")
    again = next(d for d in office.json("case", "show", ref)["deadlines"]
                 if d["key"] == "correction_period")  # fmt: skip
    assert (again["amount"], again["due_date"]) == (30, period["due_date"])


def test_registered_post_starts_the_clock_on_the_signed_for_date(office: Office) -> None:
    ref = office.register("--channel", "registered_post", "--received-on", "2025-09-22",
                          now="2025-09-23T09:00")  # fmt: skip
    shown = office.json("case", "show", ref)
    assert shown["state"] == "registered"
    assert shown["request"]["receipt_date"] == "2025-09-22"
    assert reply(office, ref)["due_date"] == nth_working_day_after("2025-09-22", 20)
    # An ordinary letter still waits for the confirmation with the applicant.
    letter = office.register("--channel", "letter", "--received-on", "2025-09-22")
    assert office.json("case", "show", letter)["state"] == "received"


def test_no_refusal_on_the_spot(office: Office) -> None:
    message = office.fails(3, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
                           "--applicant-kind", "natural_person", "--name", "张三",
                           "--id-number", ZHANG_ID, "--phone", ZHANG_PHONE, "--description", "x",
                           "--on-the-spot", "withheld.state_secret", "--summary", "涉密")  # fmt: skip
    assert "须经审核并由负责人审批后答复" in message
    assert office.json("case", "list") == []
    ref = office.register("--on-the-spot", "disclosed", "--summary", "已主动公开",
                          "--where", "县政府网站·财政预决算专栏")  # fmt: skip
    shown = office.json("case", "show", ref)
    assert shown["state"] == "replied"
    assert shown["events"][-1]["payload"]["where"] == "县政府网站·财政预决算专栏"
