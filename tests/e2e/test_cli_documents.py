"""Notices, attachments and the case file from the command line, as an office uses them
(SPEC N-1, N-2): real ``python -m govflow`` processes on a SQLite file and a file store in
the working directory."""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from tests.cli import copy_home
from tests.e2e.test_cli_workflow import Office, _office

REF = "示政办依申〔2025〕0001号"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Office:
    """The office every test starts from, made once: a request with its correction notice."""
    office = _office(tmp_path_factory.mktemp("office"))
    office.register(now="2025-09-26T09:00")
    office.act(REF, "start_review", "li.handler")
    out = office.act(REF, "request_correction", "li.handler", "items=请写明文件名称")
    assert "已制作文书 2：补正申请告知书　示政办公补〔2025〕1号" in out
    return office


@pytest.fixture
def office(prepared: Office, tmp_path: Path) -> Office:
    """This test's own copy of it (database and file store), in its own folder."""
    copy_home(prepared.home, tmp_path)
    env = {**prepared.env, "GOVFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'govflow.db'}"}
    return Office(tmp_path, env, prepared.now)


def test_list_write_and_refuse_to_overwrite(office: Office) -> None:
    out = office.ok("case", "documents", REF, "--as", "chen.supervisor")
    assert "1  v1  告知书　政府信息公开申请接收回执　示政办公回〔2025〕1号" in out
    assert "2  v1  告知书　补正申请告知书　示政办公补〔2025〕1号" in out
    target = office.home / "补正.docx"
    out = office.ok("case", "document", REF, "2", "--as", "li.handler", "--output", str(target))
    assert "已写入" in out
    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "请写明文件名称" in text and "示政办公补〔2025〕1号" in text
    target.write_text("已有的文件")
    message = office.fails(
        2, "case", "document", REF, "2", "--as", "li.handler", "--output", str(target)
    )
    assert "已存在" in message and target.read_text() == "已有的文件"
    office.ok(
        "case", "document", REF, "2", "--as", "li.handler", "--output", str(target), "--force"
    )
    assert target.read_bytes().startswith(b"PK")
    # Another agency's clerk: as if there were no such case; a supervisor above: the list,
    # not the bytes (the notice names the applicant unmasked).
    assert "或您无权查看" in office.fails(
        4, "case", "document", REF, "2", "--as", "liu.clerk", "--output", str(office.home / "x")
    )
    assert "仅本案所属机关" in office.fails(
        3,
        "case",
        "document",
        REF,
        "2",
        "--as",
        "chen.supervisor",
        "--output",
        str(office.home / "s"),
    )
    assert not (office.home / "s").exists()
    assert "没有第 9 号" in office.fails(
        4, "case", "document", REF, "9", "--as", "li.handler", "--output", str(office.home / "y")
    )
    if shutil.which("soffice") is None:
        message = office.fails(
            2, "case", "document", REF, "2", "--as", "li.handler",
            "--output", str(office.home / "x.pdf"), "--pdf",
        )  # fmt: skip
        assert "未安装 LibreOffice" in message and not (office.home / "x.pdf").exists()

    # An office's own template with a typo: refused with its file and place.
    own = office.home / "templates"
    own.mkdir()
    document = Document()
    document.add_paragraph("{{ title }}")
    document.add_paragraph("请于{{ corection_due }}前补正")
    document.save(str(own / "correction.docx"))
    settings = office.home / "settings.yaml"
    settings.write_text(f"notices:\n  template_dir: {own}\n", encoding="utf-8")
    office.env["GOVFLOW_SETTINGS"] = str(settings)
    message = office.fails(2, "notices", "check")
    assert "correction.docx: 第 2 段: 未知占位符 'corection_due'" in message


def test_who_may_not_read_the_case_is_told_it_does_not_exist(office: Office) -> None:
    """Attaching, regenerating a notice, adopting the ladder: another agency's clerk gets
    what a missing case gives (exit 4, one message), not "not this agency's" (exit 3, which
    confirms the case exists); a supervisor above, who reads it, is refused (exit 3)."""
    scan = office.home / "来信.pdf"
    scan.write_bytes(b"%PDF-1.4\n% letter\n")
    writes = (
        ("case", "attach", "{ref}", str(scan), "--category", "letter"),
        ("case", "regenerate", "{ref}", "2", "--reason", "模板更正"),
        ("escalation", "adopt", "{ref}"),
    )
    for command in writes:
        for ref in (REF, "NOPE"):
            args = [a.format(ref=ref) for a in command]
            message = office.fails(4, *args, "--as", "liu.clerk")
            assert message == f"错误：没有编号为 {ref} 的案件，或您无权查看", args
        office.fails(3, *[a.format(ref=REF) for a in command], "--as", "chen.supervisor")
    assert "或您无权查看" in office.fails(4, "case", "act", "NOPE", "accept", "--as", "liu.clerk")


def test_attach_deliver_export_and_check(office: Office) -> None:
    scan = office.home / "来信.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan\n")
    out = office.ok("case", "attach", REF, str(scan), "--as", "wang.clerk", "--category", "letter")
    assert "已添加附件 3" in out
    fake = office.home / "申请书.pdf"
    shutil.copy(shutil.which("ls") or "/bin/ls", fake)
    assert "实为Linux 可执行程序" in office.fails(
        2, "case", "attach", REF, str(fake), "--as", "wang.clerk", "--category", "letter"
    )
    out = office.act(
        REF, "record_delivery", "wang.clerk", "document=2", "method=post",
        "delivered_on=2025-09-29", now="2025-09-30T09:00",
    )  # fmt: skip
    assert "登记送达 已完成" in out
    listing = office.ok("case", "documents", REF, "--as", "li.handler")
    assert "已送达 2025-09-29" in listing

    archive = office.home / "卷宗.zip"
    out = office.ok("case", "file", REF, "--as", "zhang.head", "--output", str(archive))
    digest = out.strip().splitlines()[-1].split("：")[-1]
    assert len(digest) == 64
    out = office.ok("case", "file-check", str(archive), "--digest", digest)
    assert "全部与清单及历史记录一致" in out
    assert "已存在" in office.fails(
        2, "case", "file", REF, "--as", "zhang.head", "--output", str(archive)
    )

    tampered = office.home / "改过的卷宗.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, b"%PDF-1.4\n% forged\n" if name.endswith("来信.pdf") else data)
    proc = office.run("case", "file-check", str(tampered))
    assert proc.returncode == 1 and "来信.pdf：内容与清单记载的 SHA-256 不符" in proc.stdout

    # The stored copy swapped on disk: audit verify names the case and position.
    stored = next(
        p
        for p in (office.home / "govflow-files").rglob("*")
        if p.is_file() and p.read_bytes().startswith(b"%PDF")
    )
    stored.write_bytes(b"%PDF-1.4\n% swapped\n")
    proc = office.run("audit", "verify", "--as", "chen.supervisor")
    assert proc.returncode == 1 and "文件内容被替换" in proc.stdout


def test_pdf_without_libreoffice_is_refused_with_what_to_install(office: Office) -> None:
    """LibreOffice is optional (notices are .docx first): without it, one clear line."""
    office.env = {**office.env, "PATH": str(Path(sys.executable).parent)}
    target = office.home / "补正.pdf"
    line = office.fails(
        2, "case", "document", REF, "2", "--as", "li.handler", "--output", str(target), "--pdf"
    )
    assert "LibreOffice" in line and "libreoffice-writer-nogui" in line
    assert not target.exists()


def test_pdf_through_libreoffice_as_it_is_called(office: Office, tmp_path: Path) -> None:
    """The conversion as govflow drives it: headless, its own profile, the PDF taken from the
    output directory. A stand-in ``soffice`` (the real one is an optional 300 MB install)
    checks the arguments and writes what LibreOffice writes."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(
        "#!/bin/sh\n"
        'echo "$*" | grep -q -- "--headless --convert-to pdf --outdir" || exit 9\n'
        "for last; do :; done\n"
        'head -c 2 "$last" | grep -q PK || exit 8\n'  # a .docx is a ZIP
        'printf "%%PDF-1.7 stand-in" > "$(dirname "$last")/notice.pdf"\n'
    )
    fake.chmod(0o755)
    office.env = {**office.env, "PATH": f"{bin_dir}:/usr/bin:/bin"}  # ours first
    target = office.home / "补正.pdf"
    office.ok("case", "document", REF, "2", "--as", "li.handler", "--output", str(target), "--pdf")
    assert target.read_bytes().startswith(b"%PDF")
