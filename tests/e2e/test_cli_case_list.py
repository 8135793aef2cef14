"""``govflow case list`` reads a page at a time (issue 17): least time left first, the first
page by default with a note that there is more, ``--all`` for every page, as a clerk runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli_workflow import REF, Office, _office


def test_case_list_shows_the_first_page_and_all_pages_on_request(tmp_path: Path) -> None:
    office: Office = _office(tmp_path)
    # Handed in on Wed 10-08, Fri 09-26 and Mon 09-29: due 11-05, 10-30 and 11-03.
    late = office.register(now="2025-10-08T09:00")
    first = office.register(now="2025-09-26T10:00")
    middle = office.register(now="2025-09-29T10:00")
    # A letter whose receipt is not confirmed yet: no limit runs, so it comes last.
    waiting = REF.search(
        office.ok(
            "request",
            "register",
            "--as",
            "wang.clerk",
            "--file",
            str(_letter(tmp_path)),
            now="2025-10-09T09:00",
        )
    )
    assert waiting
    order = [first, middle, late, waiting.group(0)]

    page = office.ok("case", "list", "--limit", "2", now="2025-10-09T10:00").splitlines()
    assert [line.split("　")[0] for line in page[:2]] == order[:2]
    assert page[2] == "（仅列出最紧迫的 2 件；用 --all 列出全部，或 --limit 调整件数）"

    every = office.ok("case", "list", "--limit", "2", "--all", now="2025-10-09T10:00")
    assert [line.split("　")[0] for line in every.splitlines()] == order
    assert "答复期限 2025-10-30 24:00" in every.splitlines()[0]

    rows = json.loads(office.ok("case", "list", "--limit", "3", "--json", now="2025-10-09T10:00"))
    assert [r["ref"] for r in rows] == order[:3]
    assert rows[0]["reply_due_date"] == "2025-10-30" and rows[0]["time_left"]
    rows = json.loads(office.ok("case", "list", "--all", "--json", now="2025-10-09T10:00"))
    assert [r["ref"] for r in rows] == order and rows[-1]["reply_due"] is None


def _letter(tmp_path: Path) -> Path:
    path = tmp_path / "letter.yaml"
    path.write_text(
        "applicant:\n"
        "  kind: natural_person\n"
        "  name: 李四\n"
        '  id_number: "110101198001010011"\n'
        "  address: 示范县人民路1号\n"
        "description: 2025年道路维修计划\n"
        "channel: letter\n",
        encoding="utf-8",
    )
    return path
