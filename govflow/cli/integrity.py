"""``govflow audit verify | checkpoint | checkpoint-check``: tamper evidence (SPEC A-2).

``verify`` checks every chain against the head on its case row. That cannot show what
someone with database access did to both (deleted a case's last events *and* rolled its
row back, deleted a whole case, rewrote a history and recomputed every hash); a
checkpoint — every case's head, with a digest the supervisor keeps outside the database —
can. All three stream: constant memory however many cases there are.

Exit codes: 0 nothing found, 1 findings (or a checkpoint file that was altered), 2 bad
input, 4 not found.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from govflow.cli.common import JsonFlag, echo_json, fail, user_errors
from govflow.workflow.checkpoints import (
    CheckpointFormatError,
    Digest,
    Head,
    Header,
    Scan,
    heads,
    is_digest,
    line,
    scan,
    scope_label,
    scope_of,
    trailer,
)
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from govflow.workflow.events import Finding

PROGRESS_EVERY = 1000

Agency = Annotated[str | None, typer.Option("--agency", help="只含这个机关的案件")]
IncludeChildren = Annotated[bool, typer.Option("--include-children", help="连同下级机关的案件")]


def register(audit_app: typer.Typer) -> None:
    audit_app.command("verify")(verify)
    audit_app.command("checkpoint")(checkpoint)
    audit_app.command("checkpoint-check")(checkpoint_check)


class Progress:
    """A note on stderr every ``PROGRESS_EVERY`` cases (one rewritten line on a terminal)."""

    def __init__(self, note: str) -> None:
        self.note, self.tty, self.count, self.found = note, sys.stderr.isatty(), 0, 0

    def tick(self, findings: int = 0) -> None:
        self.count += 1
        self.found += findings
        if self.count % PROGRESS_EVERY == 0:
            note = self.note.format(count=self.count, found=self.found)
            typer.echo("\r" + note if self.tty else note, err=True, nl=not self.tty)

    def done(self) -> None:
        if self.tty and self.count >= PROGRESS_EVERY:
            typer.echo("", err=True)


def echo_finding(f: Finding) -> None:
    typer.echo(f"{f.case_ref} 位置 {f.position}：[{f.kind}] {f.message}")


def stream_findings(
    results: Iterable[tuple[Any, list[Finding]]], progress: Progress, as_json: bool
) -> list[Finding]:
    """Print each case's findings as they come, counting cases; with ``--json`` they are
    kept for the one document printed at the end instead (and returned)."""
    kept: list[Finding] = []
    for _case, found in results:
        if as_json:
            kept.extend(found)
        else:
            for f in found:
                echo_finding(f)
        progress.tick(len(found))
    progress.done()
    return kept


def verify(
    case: Annotated[str | None, typer.Option("--case", help="只校验这件案件（编号）")] = None,
    agency: Agency = None,
    include_children: IncludeChildren = False,
    processes: Annotated[
        int, typer.Option("--processes", min=1, help="并行校验的进程数（案件多时可设为 CPU 核数）")
    ] = 1,
    replay: Annotated[
        bool,
        typer.Option("--replay", help="同时按事件重放，核对案件行保存的事实（较慢）"),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """校验案件的事件哈希链（默认全部案件）；发现篡改时退出码为 1。"""
    from govflow.cli import build_services
    from govflow.workflow import integrity

    with user_errors():
        if case is not None and agency is not None:
            raise InvalidInput("--case 与 --agency 只能选一个")
        _check_scope(agency, include_children)
        svc = build_services()
        progress = Progress("已校验 {count} 件案件，发现 {found} 处问题…")
        results = integrity.verify_cases(
            svc,
            case_ref=case,
            agency_code=agency,
            include_children=include_children,
            processes=processes,
            replay=replay,
        )
        findings = stream_findings(results, progress, as_json)
        checked, found = progress.count, progress.found
        if as_json:
            scope = {"case": case} if case else scope_of(agency, include_children)
            echo_json(
                {
                    "scope": scope,
                    "cases_checked": checked,
                    "findings": [f.__dict__ for f in findings],
                }
            )
        elif found:
            typer.echo(f"校验 {checked} 件案件，发现 {found} 处问题。")
        else:
            typer.echo(f"校验 {checked} 件案件，历史记录完整，未发现篡改。")
        if found:
            raise typer.Exit(1)


def checkpoint(
    output: Annotated[
        Path, typer.Option("--output", help="写入此文件（JSON 行；文件名以 .gz 结尾则压缩）")
    ],
    agency: Agency = None,
    include_children: IncludeChildren = False,
    as_user: Annotated[str | None, typer.Option("--as", help="导出人（记入检查点记录）")] = None,
    as_json: JsonFlag = False,
) -> None:
    """导出检查点：每件案件的链头与总摘要；摘要请另行保存，日后用 checkpoint-check 核对。"""
    from govflow.cli import build_services
    from govflow.workflow import integrity

    with user_errors():
        _check_scope(agency, include_children)
        if not output.parent.is_dir():
            raise InvalidInput(f"{output}: 所在目录不存在")
        svc = build_services()
        if as_user is not None:
            with svc.uow() as uow:
                uow.repo.user(as_user)
        taken_at = svc.clock.now()
        scope = scope_of(agency, include_children)
        stream = integrity.checkpoint_heads(
            svc, agency_code=agency, include_children=include_children
        )
        header, digest = write_checkpoint(output, stream, taken_at, scope)
        integrity.record_checkpoint(svc, header, digest, as_user)
        if as_json:
            echo_json({"file": str(output), **header.record(), "digest": digest})
            return
        typer.echo(f"已导出检查点：{output}")
        typer.echo(
            f"范围：{scope_label(scope)}；案件数：{header.cases}；"
            f"导出时间：{_local(header.taken_at)}（北京时间）"
        )
        typer.echo(f"摘要（SHA-256）：{digest}")
        typer.echo(
            "请把这个摘要抄在纸上或存入另一个系统，与文件分开保管（数据库被篡改时，"
            "文件也可能被替换）。核对时运行："
        )
        typer.echo(f"  govflow audit checkpoint-check {output} --digest {digest}")


def checkpoint_check(
    file: Annotated[Path, typer.Argument(help="checkpoint 导出的文件")],
    digest: Annotated[
        str | None, typer.Option("--digest", help="另行保存的摘要（64 位十六进制）")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """用检查点核对数据库：案件是否仍在、历史是否被截短或改写；发现问题时退出码为 1。"""
    from govflow.cli import build_services
    from govflow.workflow import integrity

    with user_errors():
        kept = None if digest is None else digest.strip().lower()
        if kept is not None and not is_digest(kept):
            raise InvalidInput("--digest 应为 64 位十六进制数（导出检查点时显示的摘要）")
        found_file = trusted_scan(file, kept)
        header = found_file.header
        if kept is None and not as_json:
            typer.echo(
                "提示：未给出另行保存的摘要（--digest），只能确认文件与其自身记载的摘要一致；"
                "文件若连同摘要被替换，须用另行保存的摘要才能发现。",
                err=True,
            )
        if not as_json:
            typer.echo(
                f"检查点：{_local(header.taken_at)}（北京时间）导出，范围：{scope_label(header.scope)}，"
                f"{header.cases} 件案件，摘要 {found_file.computed}"
                + ("（与另行保存的摘要一致）" if kept else "（与文件记载一致）")
            )
        svc = build_services()
        progress = Progress("已核对 {count} 件案件，发现 {found} 处问题…")
        results = integrity.check_checkpoint(svc, heads(read_lines(file)))
        findings = stream_findings(results, progress, as_json)
        checked, found = progress.count, progress.found
        if as_json:
            echo_json(
                {
                    "file": str(file),
                    "checkpoint": {**header.record(), "digest": found_file.computed},
                    "digest_kept": kept is not None,
                    "cases_checked": checked,
                    "findings": [f.__dict__ for f in findings],
                }
            )
        elif found:
            typer.echo(f"核对检查点中的 {checked} 件案件，发现 {found} 处问题。")
        else:
            typer.echo(
                f"核对检查点中的 {checked} 件案件，均与数据库一致："
                "没有案件被删除，没有历史被截短或改写。"
            )
        if found:
            raise typer.Exit(1)


# -- the file -----------------------------------------------------------------------------------


def trusted_scan(file: Path, kept: str | None) -> Scan:
    """The first pass over a checkpoint file: parsed and its digest recomputed. A file that
    is not a checkpoint is bad input (exit 2); one altered since it was written, or not
    matching the digest kept elsewhere, is a finding in itself (exit 1): nothing is checked
    against an untrustworthy record."""
    try:
        found = scan(read_lines(file))
    except CheckpointFormatError as exc:
        raise CheckpointFormatError(f"{file}: {exc}") from None
    problem = found.tampered()
    if problem is None and kept is not None and kept != found.computed:
        problem = (
            f"文件的摘要为 {found.computed}，与另行保存的摘要 {kept} 不符"
            "（文件连同摘要被替换，或不是那一次导出的检查点）"
        )
    if problem is not None:
        fail(f"{file}: 检查点文件不可信，不能据此核对：{problem}", 1)
    return found


def write_checkpoint(
    output: Path, stream: Iterable[Head], taken_at: datetime, scope: dict[str, Any]
) -> tuple[Header, str]:
    """Write the file; returns its header and digest.

    The header carries the case count, known only at the end: the heads are spooled to an
    unnamed temporary file first, then copied behind the header. The result is written
    under a temporary name and renamed, so a checkpoint cut short never looks complete.
    """
    progress = Progress("已导出 {count} 件案件的链头…")
    part = output.with_name(output.name + ".part")
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8", dir=output.parent) as spool:
            for head in stream:
                spool.write(line(head.record()) + "\n")
                progress.tick()
            progress.done()
            header = Header(taken_at, scope, progress.count)
            digest = Digest(header.record())
            spool.seek(0)
            with _open_for_writing(part, gz=output.name.endswith(".gz")) as out:
                out.write(line(header.record()) + "\n")
                for text in spool:
                    digest.add_line(text.rstrip("\n"))
                    out.write(text)
                out.write(line(trailer(digest.hexdigest())) + "\n")
        os.replace(part, output)
    except OSError as exc:
        raise InvalidInput(f"{output}: 无法写入：{exc}") from None
    finally:
        part.unlink(missing_ok=True)
    return header, digest.hexdigest()


def _open_for_writing(path: Path, gz: bool) -> TextIO:
    if gz:
        return gzip.open(path, "wt", encoding="utf-8", newline="\n")
    return path.open("w", encoding="utf-8", newline="\n")


def read_lines(path: Path) -> Iterator[str]:
    """The file's lines, gzip or not (by its first bytes, whatever its name)."""
    try:
        with path.open("rb") as raw:
            gz = raw.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rt", encoding="utf-8") if gz else path.open(encoding="utf-8") as f:
            yield from f
    except UnicodeDecodeError:
        raise CheckpointFormatError("不是 UTF-8 文本，不是检查点文件") from None
    except FileNotFoundError:
        raise InvalidInput(f"{path}: 文件不存在") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: 是目录，不是检查点文件") from None
    except (EOFError, gzip.BadGzipFile, zlib.error):
        raise InvalidInput(f"{path}: 压缩文件已损坏或不完整") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: 无法读取：{exc.strerror or exc}") from None


def _check_scope(agency: str | None, include_children: bool) -> None:
    if include_children and agency is None:
        raise InvalidInput("--include-children 须与 --agency 一起使用")


def _local(instant: datetime) -> str:
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
