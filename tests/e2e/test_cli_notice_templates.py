"""``govflow notices upload`` as an office uses it (issue 13 item 1): real ``python -m
govflow`` processes on a SQLite file; the county's own wording fills the county's next
receipt and not the education bureau's; a bad template and a non-administrator are refused
with one zh-CN line and nothing stored; ``remove`` restores the default."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from docx import Document

from tests.e2e.test_cli_workflow import ZHANG_ID, ZHANG_PHONE, Office, _office
from tests.notice_template_files import with_line

LINE = "示范县人民政府办公室：本回执仅作收件凭证。"
COUNTY, RECEIPT = "示范县人民政府办公室", "政府信息公开申请接收回执"


def receipt(office: Office, ref: str, reader: str) -> str:
    target = office.home / f"{ref[-6:-1]}.docx"
    office.ok("case", "document", ref, "1", "--as", reader, "--output", str(target), "--force")
    return "\n".join(p.text for p in Document(str(target)).paragraphs)


def register_at_edu(office: Office) -> str:
    """A request handed in at the education bureau (its clerk registers it)."""
    out = office.ok("request", "register", "--as", "liu.clerk", "--channel", "in_person",
                    "--applicant-kind", "natural_person", "--name", "张三",
                    "--id-number", ZHANG_ID, "--phone", ZHANG_PHONE,
                    "--description", "2024年教育经费公开表")  # fmt: skip
    found = re.search(r"示教依申〔\d{4}〕\d+号", out)
    assert found, out
    return found.group(0)


def uploads(office: Office) -> int:
    with sqlite3.connect(office.home / "govflow.db") as db:
        return int(db.execute("SELECT count(*) FROM notice_templates").fetchone()[0])


def test_upload_for_an_agency_from_the_command_line(tmp_path: Path) -> None:
    office = _office(tmp_path)
    good, bad = tmp_path / "回执.docx", tmp_path / "坏.docx"
    good.write_bytes(with_line("receipt.docx", LINE))
    bad.write_bytes(with_line("receipt.docx", "{{ applicant_nmae }}"))

    message = office.fails(2, "notices", "upload", "receipt", str(bad), "--agency", "county",
                           "--as", "admin")  # fmt: skip
    assert "上传的模板“坏.docx”（receipt，示范县人民政府办公室）" in message
    assert "未知占位符 'applicant_nmae'" in message
    message = office.fails(3, "notices", "upload", "receipt", str(good), "--agency", "county",
                           "--as", "li.handler")  # fmt: skip
    assert "不是系统管理员" in message
    assert uploads(office) == 0

    stored = office.json("notices", "upload", "receipt", str(good), "--agency", "county",
                         "--as", "admin")  # fmt: skip
    assert stored["agency"] == "county" and stored["filename"] == "回执.docx"  # type: ignore[index]
    assert uploads(office) == 1
    county = office.register()
    assert LINE in receipt(office, county, "li.handler")
    edu = register_at_edu(office)
    assert LINE not in receipt(office, edu, "liu.clerk")

    out = office.ok("notices", "remove", "receipt", "--agency", "county", "--as", "admin")
    assert out.strip() == f"已删除为{COUNTY}上传的{RECEIPT}模板（receipt），恢复默认模板。"
    again = office.register()
    assert LINE not in receipt(office, again, "li.handler")
    listed = office.json("notices", "list", "--as", "admin", "--all")
    assert [(u["kind"], u["active"]) for u in listed] == [("receipt", False)]  # type: ignore[index]
    # Read as people do: the upload's instant in Beijing time (the clock is pinned to 09:00).
    lines = office.ok("notices", "list", "--as", "admin", "--all")
    assert f"（admin） {office.now.replace('T', ' ')}" in lines, lines
    # Names to read, with the codes ``remove`` takes back beside them.
    assert f"{RECEIPT}（receipt）  {COUNTY}（county）  已停用  回执.docx" in lines, lines

    out = office.ok("notices", "upload", "receipt", str(good), "--as", "admin")
    assert out.startswith(f"已上传{RECEIPT}模板（receipt，全部机关）：回执.docx，"), out
