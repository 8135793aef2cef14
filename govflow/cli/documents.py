"""``govflow case documents | document | attach | regenerate | file | file-check``: a case's
notices and attachments, and its case file (卷宗) for archiving (SPEC N-1, N-2).

Parse and render only: every rule (read scope, file types, hashes) is behind the service
layer (``govflow.workflow.services.documents``).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from govflow.cli.common import (
    AsReader,
    AsUser,
    JsonFlag,
    build_services,
    cli_principal,
    echo_json,
    echo_lines,
    person,
    read_input,
    user_errors,
)
from govflow.cli.files import Force, check_target, write_output
from govflow.workflow.errors import GovflowError, InvalidInput

Output = Annotated[Path, typer.Option("--output", help="写入此文件")]


def register(case_app: typer.Typer) -> None:
    case_app.command("documents")(documents)
    case_app.command("document")(document)
    case_app.command("attach")(attach)
    case_app.command("regenerate")(regenerate)
    case_app.command("file")(case_file)
    case_app.command("file-check")(file_check)


def documents(ref: str, as_user: AsReader, as_json: JsonFlag = False) -> None:
    """列出案件的告知书与附件（含各版本）。"""
    from govflow.presentation.documents import documents_json, documents_text
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        docs = services.list_documents(svc, person(svc, as_user), ref)
        if as_json:
            echo_json(documents_json(docs))
            return
        echo_lines(documents_text(docs))


def document(
    ref: str,
    no: Annotated[int, typer.Argument(help="文书序号（见 case documents）")],
    as_user: AsReader,
    output: Output,
    version: Annotated[int | None, typer.Option(help="版本（默认最新）")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="经 LibreOffice 转换为 PDF")] = False,
    force: Force = False,
    as_json: JsonFlag = False,
) -> None:
    """把一份告知书或附件写入文件（内容先与历史记录中的哈希核对）。"""
    from govflow.workflow import services

    with user_errors():
        check_target(output, force)  # refused before any work
        svc = build_services()
        record, content = services.read_document(svc, person(svc, as_user), ref, no, version)
        if pdf:
            if not record.filename.endswith(".docx"):
                raise InvalidInput("只有 .docx 文书可以转换为 PDF")
            content = to_pdf(content)
        write_output(output, content, force)
        if as_json:
            echo_json({**record.to_json(), "output": str(output), "bytes": len(content)})
            return
        typer.echo(
            f"已写入 {output}：{record.title}（第 {record.version} 版，{len(content):,} 字节）"
        )


def to_pdf(docx: bytes) -> bytes:
    """LibreOffice (Debian ``libreoffice-writer-nogui``) converts, headless, in a temp dir."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise GovflowError("未安装 LibreOffice（libreoffice-writer-nogui），无法转换为 PDF")
    with tempfile.TemporaryDirectory(prefix="govflow-pdf-") as work:
        source = Path(work) / "notice.docx"
        source.write_bytes(docx)
        profile = Path(work) / "profile"
        command = [office, f"-env:UserInstallation=file://{profile}", "--headless"]
        command += ["--convert-to", "pdf", "--outdir", work, str(source)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=120)
        except (subprocess.SubprocessError, OSError) as exc:
            raise GovflowError(f"LibreOffice 转换失败：{exc}") from None
        result = Path(work) / "notice.pdf"
        if not result.is_file():
            raise GovflowError("LibreOffice 未生成 PDF")
        return result.read_bytes()


def attach(
    ref: str,
    file: Annotated[Path, typer.Argument(help="要附加的文件")],
    as_user: AsUser,
    category: Annotated[
        str,
        typer.Option(
            help="letter / envelope / identity / reply_draft / reply_final / "
            "consultation_answer / delivery_receipt / other"
        ),
    ],
    note: Annotated[str | None, typer.Option(help="说明")] = None,
    as_json: JsonFlag = False,
) -> None:
    """为案件添加附件（类型按内容识别；哈希记入历史记录）。"""
    from govflow.workflow import services

    with user_errors():
        content = read_input(file)
        svc = build_services()
        record = services.attach(
            svc,
            ref=ref,
            principal=cli_principal(svc, as_user),
            filename=file.name,
            content=content,
            category=category,
            note=note,
        )
        if as_json:
            echo_json(record.to_json())
        else:
            typer.echo(f"{ref}：已添加附件 {record.no}（{record.title}，SHA-256 {record.sha256}）")


def regenerate(
    ref: str,
    no: Annotated[int, typer.Argument(help="告知书序号")],
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="重新生成的理由（如：模板更正）")],
    as_json: JsonFlag = False,
) -> None:
    """用当前模板重新生成一份告知书：文号与日期不变，作为新版本保存，旧版本保留。"""
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        record = services.regenerate_notice(
            svc, ref=ref, no=no, principal=cli_principal(svc, as_user), reason=reason
        )
        if as_json:
            echo_json(record.to_json())
        else:
            typer.echo(
                f"{ref}：第 {no} 号告知书已重新生成为第 {record.version} 版（{record.number}）"
            )


def case_file(
    ref: str, as_user: AsReader, output: Output, force: Force = False, as_json: JsonFlag = False
) -> None:
    """导出案件的电子卷宗（ZIP：封面、办理过程、全部告知书和附件、带哈希的清单）。"""
    from govflow.workflow import services

    with user_errors():
        check_target(output, force)
        svc = build_services()
        archive, digest = services.export_case_file(svc, person(svc, as_user), ref)
        write_output(output, archive, force)
        if as_json:
            echo_json({"output": str(output), "bytes": len(archive), "manifest_sha256": digest})
            return
        typer.echo(f"已导出卷宗 {output}（{len(archive):,} 字节）")
        typer.echo(f"清单摘要（SHA-256，请另行保存，用于日后校验）：{digest}")


def file_check(
    archive: Annotated[Path, typer.Argument(help="卷宗 ZIP 文件")],
    digest: Annotated[str | None, typer.Option(help="导出时保存的清单摘要")] = None,
    as_json: JsonFlag = False,
) -> None:
    """校验卷宗：文件哈希、清单、历史记录哈希链；发现问题时退出码为 1。"""
    from govflow.presentation.documents import check_text
    from govflow.workflow import services

    with user_errors():
        content = read_input(archive)
        result = services.check_case_file(content, digest)
        if as_json:
            echo_json(result.__dict__)
        else:
            echo_lines(check_text(result, str(archive)))
        if result.problems:
            raise typer.Exit(1)
