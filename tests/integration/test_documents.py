"""Attachments and the case file (SPEC N-2), on SQLite and PostgreSQL: files kept by their
SHA-256 with the hash in the chain, read only within the case's read scope, a disguised
program refused with nothing written, a swapped stored file caught by ``audit verify``,
the 卷宗 exported and checked — a swapped file or an edited manifest shows."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from govflow.workflow import integrity
from govflow.workflow.actors import SYSTEM
from govflow.workflow.documents import casefile
from govflow.workflow.documents.store import sha256_hex
from govflow.workflow.errors import ActionNotAllowed, GovflowError, InvalidInput, NotFound
from govflow.workflow.services import (
    attach,
    export_case_file,
    identify,
    list_documents,
    read_document,
)
from tests.principals import acting

CLERK, LI, HEAD, SUPERVISOR = "wang.clerk", "li.handler", "zhang.head", "chen.supervisor"
PDF = b"%PDF-1.4\n% scanned letter of the applicant\n"


def replied_case(flow) -> str:
    flow.at("2025-09-26 10:00")
    ref = flow.register()
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    attach(
        flow.svc,
        ref=ref,
        principal=acting(flow.svc, CLERK),
        filename="申请书扫描件.pdf",
        content=PDF,
        category="letter",
        note="申请人当面提交",
    )
    flow.at("2025-10-15 10:00")
    flow.act(ref, LI, "draft_reply", outcome="disclosed", summary="予以公开，附件见后。")
    flow.act(ref, HEAD, "approve_reply")
    flow.consistent(ref)
    return ref


def test_an_attachment_is_kept_by_its_hash_in_the_chain(flow, files) -> None:
    ref = replied_case(flow)
    case = flow.case(ref)
    event = next(e for e in case.events if e.action == "attach")
    [recorded] = event.data["documents"]
    assert recorded["sha256"] == sha256_hex(PDF) and recorded["media_type"] == "application/pdf"
    assert recorded["kind"] == "letter" and recorded["size"] == len(PDF)
    assert files.get(recorded["sha256"]) == PDF
    record, content = read_document(flow.svc, identify(flow.svc, HEAD), ref, recorded["no"])
    assert content == PDF and record.filename == "申请书扫描件.pdf"
    assert event.state_before == event.state_after == "handling"


def test_read_scope_decides_who_may_download(flow) -> None:
    """Out of scope reads as not found; a supervisor above lists the documents but may not
    download what carries the applicant's personal data unmasked (notices, the case file)."""
    ref = replied_case(flow)
    with pytest.raises(NotFound, match="或您无权查看"):
        read_document(flow.svc, identify(flow.svc, "liu.clerk"), ref, 2)  # another agency's clerk
    with pytest.raises(NotFound, match="或您无权查看"):
        export_case_file(flow.svc, identify(flow.svc, "sun.head"), ref)
    flow.at("2025-10-16 10:00")
    edu = flow.register(who="liu.clerk", agency="edu")
    supervisor = identify(flow.svc, SUPERVISOR)
    [receipt] = list_documents(flow.svc, supervisor, edu).versions
    assert receipt.kind == "receipt"
    with pytest.raises(ActionNotAllowed, match="仅本案所属机关"):
        read_document(flow.svc, supervisor, edu, 1)
    with pytest.raises(ActionNotAllowed, match="仅本案所属机关"):
        export_case_file(flow.svc, supervisor, edu)
    assert read_document(flow.svc, identify(flow.svc, "sun.head"), edu, 1)[0].kind == "receipt"
    assert read_document(flow.svc, SYSTEM, edu, 1)[0].kind == "receipt"
    with pytest.raises(NotFound):
        read_document(flow.svc, identify(flow.svc, CLERK), edu, 1)  # a county clerk: not its own


def test_a_disguised_program_is_refused_and_nothing_is_written(flow, files) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register()
    before, stored = flow.footprint(ref), sorted(files.root.rglob("*"))
    program = b"MZ\x90\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    with pytest.raises(InvalidInput, match="实为Windows 可执行程序"):
        attach(
            flow.svc,
            ref=ref,
            principal=acting(flow.svc, CLERK),
            filename="申请书.pdf",
            content=program,
            category="letter",
        )
    with pytest.raises(InvalidInput, match="未知附件类别"):
        attach(
            flow.svc,
            ref=ref,
            principal=acting(flow.svc, CLERK),
            filename="a.pdf",
            content=PDF,
            category="x",
        )
    with pytest.raises(ActionNotAllowed):
        attach(
            flow.svc,
            ref=ref,
            principal=acting(flow.svc, SUPERVISOR),
            filename="a.pdf",
            content=PDF,
            category="other",
        )
    assert flow.footprint(ref) == before and sorted(files.root.rglob("*")) == stored


def test_a_swapped_or_missing_stored_file_is_caught_by_verify(flow, files) -> None:
    ref = replied_case(flow)
    assert integrity.verify_all(flow.svc, SYSTEM)[1] == []
    reply = next(r for r in flow.case(ref).documents.values() if r.kind == "reply_disclosed")
    path = files._path(reply.sha256)
    original = path.read_bytes()
    path.write_bytes(original + b"tampered")
    _, findings = integrity.verify_all(flow.svc, SYSTEM)
    assert [(f.case_ref, f.position, f.kind) for f in findings] == [
        (ref, reply.seq, "file_altered")
    ]
    assert f"第 {reply.no} 号文书" in findings[0].message
    with pytest.raises(GovflowError, match="哈希不符"):
        read_document(flow.svc, identify(flow.svc, LI), ref, reply.no)
    with pytest.raises(GovflowError, match="audit verify"):
        export_case_file(flow.svc, identify(flow.svc, HEAD), ref)
    path.unlink()
    findings = integrity.verify_all(flow.svc, SYSTEM)[1]
    assert [f.kind for f in findings] == ["file_missing"]
    path.write_bytes(original)
    assert integrity.verify_all(flow.svc, SYSTEM)[1] == []


def _rezip(archive: bytes, changes: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, changes.get(name, source.read(name)))
    return out.getvalue()


def test_the_case_file_exports_and_checks(flow) -> None:
    ref = replied_case(flow)
    flow.at("2025-10-20 10:00")
    flow.act(ref, CLERK, "archive")
    archive, digest = export_case_file(flow.svc, identify(flow.svc, HEAD), ref)
    result = casefile.check(archive, digest)
    assert result.problems == [] and result.ref == ref
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert names[:2] == ["00-案卷封面.docx", "01-办理过程.docx"]
    assert "attachments/02-v1-申请书扫描件.pdf" in names
    assert any(n.startswith("notices/01-v1-政府信息公开申请接收回执") for n in names)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("manifest.json"))
    case = flow.case(ref)
    assert manifest["chain"] == {
        "head_seq": case.head_seq,
        "head_hash": case.head_hash,
        "hash": "sha256(prev_hash || canonical_json(content))",
    }
    from docx import Document

    cover = Document(io.BytesIO(zipfile.ZipFile(io.BytesIO(archive)).read(names[0])))
    cells = [c.text for r in cover.tables[0].rows for c in r.cells]
    assert ref in cells and "张三" in cells and "予以公开" in cells and "2025年10月20日" in cells
    assert "告知书 2 份、附件 1 份" in cells


def test_a_swapped_file_or_an_edited_manifest_in_the_case_file_shows(flow) -> None:
    ref = replied_case(flow)
    archive, digest = export_case_file(flow.svc, identify(flow.svc, HEAD), ref)
    letter = "attachments/02-v1-申请书扫描件.pdf"
    forged = b"%PDF-1.4\n% another letter\n"

    swapped = _rezip(archive, {letter: forged})
    problems = casefile.check(swapped).problems
    assert any(letter in p and "清单记载" in p for p in problems)

    # The forger also fixes the manifest and its digest file: the events still disagree,
    # and the digest kept at export does not match.
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("manifest.json"))
    for entry in manifest["files"]:
        if entry["path"] == letter:
            entry.update(sha256=sha256_hex(forged), size=len(forged))
    new_manifest = json.dumps(manifest, ensure_ascii=False).encode()
    fixed = _rezip(
        swapped,
        {
            "manifest.json": new_manifest,
            "manifest.sha256": f"{sha256_hex(new_manifest)}  manifest.json\n".encode(),
        },
    )
    problems = casefile.check(fixed).problems
    assert problems == [f"{letter}：SHA-256 与历史记录中该文书的哈希不符（文件或清单被替换）"]
    assert any("与保存的摘要不符" in p for p in casefile.check(fixed, digest).problems)

    # An edited manifest alone: its digest file disagrees.
    edited = _rezip(archive, {"manifest.json": new_manifest})
    assert any("manifest.sha256 不符" in p for p in casefile.check(edited).problems)

    # An edited history: the chain no longer computes.
    events = zipfile.ZipFile(io.BytesIO(archive)).read("events.jsonl").decode()
    rewritten = _rezip(archive, {"events.jsonl": events.replace("张三", "李四").encode()})
    assert any("事件被修改" in p for p in casefile.check(rewritten).problems)
    assert casefile.check(b"not a zip").problems == ["不是有效的 ZIP 压缩包"]


def test_the_case_page_lists_the_documents_and_downloads_them(flow, svc, engine) -> None:
    """The notice numbers a delivery is recorded against, and the files an office prints,
    are on the case page; a download is the stored file, for the case's own agency only."""
    from urllib.parse import quote

    from tests.web_support import page_client, signed_in

    ref = replied_case(flow)
    url = f"/cases/{quote(ref, safe='')}"
    with page_client(svc, engine, (LI, SUPERVISOR, "liu.clerk")) as client:
        signed_in(client, svc, LI)
        page = client.get(url).text
        rows = page.split('id="documents"', 1)[1].split("</table>", 1)[0]
        current = list_documents(svc, identify(svc, LI), ref).current
        assert rows.count("<tr data-no=") == len(current) >= 2  # the notices and the scan
        for record in current.values():
            assert record.title in rows and record.filename in rows
        no = next(n for n, r in current.items() if r.filename == "申请书扫描件.pdf")
        answer = client.get(f"{url}/documents/{no}")
        assert answer.status_code == 200 and answer.content == PDF
        assert answer.headers["content-type"] == "application/pdf"
        assert "attachment" in answer.headers["content-disposition"]
        signed_in(client, svc, SUPERVISOR)  # reads the case, may not take its personal data
        assert client.get(f"{url}/documents/{no}").status_code == 403
        signed_in(client, svc, "liu.clerk")  # another agency: as if it did not exist
        assert client.get(f"{url}/documents/{no}").status_code == 404
