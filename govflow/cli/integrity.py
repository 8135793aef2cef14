"""``govflow audit verify | checkpoint | checkpoint-check | seal | keygen``: tamper evidence
(SPEC A-2).

``verify`` checks every chain against the head on its case row, each event's MAC under the
installation's chain key, and every row derived from the events. A checkpoint — every case's
head, with a digest the supervisor keeps outside the database, and a MAC under the chain key
— shows what someone with database access did to both (a whole case deleted, a history
rewritten). ``seal`` brings a history written before the installation had a key under it;
``keygen`` writes a new key line. All stream: constant memory however many cases there are.

Exit codes: 0 nothing found, 1 findings (or a checkpoint file that was altered), 2 bad
input, 4 not found.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govflow.cli.common import (
    AsReader,
    JsonFlag,
    build_services,
    echo_json,
    fail,
    person,
    user_errors,
)
from govflow.cli.files import Force, check_target
from govflow.presentation.checkpoint_file import file_mac, read_lines, scan_file, write_checkpoint
from govflow.workflow.checkpoints import Scan, heads, is_digest, scope_label
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from govflow.workflow.events import Finding
    from govflow.workflow.keyring import Keyring

PROGRESS_EVERY = 1000

Agency = Annotated[str | None, typer.Option("--agency", help="只含这个机关的案件")]
IncludeChildren = Annotated[bool, typer.Option("--include-children", help="连同下级机关的案件")]


def register(audit_app: typer.Typer) -> None:
    audit_app.command("verify")(verify)
    audit_app.command("checkpoint")(checkpoint)
    audit_app.command("checkpoint-check")(checkpoint_check)
    audit_app.command("seal")(seal)
    audit_app.command("keygen")(keygen)


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
    where = f"（{f.table}.{f.column}）" if f.table else ""
    typer.echo(f"{f.case_ref} 位置 {f.position}：[{f.kind_label}]{where} {f.message}")


def seal(as_user: AsReader, as_json: JsonFlag = False) -> None:
    """用链密钥封存启用密钥之前写入的历史：逐件校验，完整者追加一个带 MAC 的封存事件（须 --as system）。"""
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        counts = {"sealed": 0, "keyed": 0, "refused": 0}
        refused: list[dict[str, str]] = []
        progress = Progress("已处理 {count} 件案件…")
        for ref, status in services.seal_unkeyed(svc, person(svc, as_user)):
            if status in counts:
                counts[status] += 1
            else:
                counts["refused"] += 1
                refused.append({"ref": ref, "problem": status})
                if not as_json:
                    typer.echo(f"{ref}：{status}")
            progress.tick()
        progress.done()
        if as_json:
            echo_json({**counts, "problems": refused})
        else:
            typer.echo(
                f"封存 {counts['sealed']} 件；{counts['keyed']} 件已有密钥保护；"
                f"{counts['refused']} 件有问题未封存（见上，核实修复后重新运行）。"
            )
        if counts["refused"]:
            raise typer.Exit(1)


def keygen(
    key_id: Annotated[str | None, typer.Option("--id", help="密钥编号（默认按日期生成）")] = None,
    as_json: JsonFlag = False,
) -> None:
    """生成一个新的链密钥（一行 编号:64 位十六进制），追加到密钥文件末行即启用（轮换）。"""
    from govflow.app import new_key_line
    from govflow.workflow.keyring import KEY_ID

    with user_errors():
        if key_id is not None and not KEY_ID.fullmatch(key_id):
            raise InvalidInput("--id 只能含字母、数字、点、下划线和连字符，最长 32 个字符")
        line = new_key_line(key_id)
        if as_json:
            echo_json({"key_id": line.partition(":")[0], "line": line})
            return
        typer.echo(line)


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
    as_user: AsReader,
    case: Annotated[str | None, typer.Option("--case", help="只校验这件案件（编号）")] = None,
    agency: Agency = None,
    include_children: IncludeChildren = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", help="并行校验的进程数（默认：CPU 核数，至多 4）", show_default=False
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """校验案件的事件哈希链（默认查看人可查看的全部案件）；发现篡改时退出码为 1。"""
    from govflow.workflow import services

    with user_errors():
        if case is not None and agency is not None:
            raise InvalidInput("--case 与 --agency 只能选一个")
        if jobs is None:
            jobs = services.default_verify_jobs()
        elif not 1 <= jobs <= services.MAX_VERIFY_JOBS:
            raise InvalidInput(f"--jobs 应为 1 至 {services.MAX_VERIFY_JOBS} 之间的整数")
        _check_scope(agency, include_children)
        svc = build_services()
        reader = person(svc, as_user)
        progress = Progress("已校验 {count} 件案件，发现 {found} 处问题…")
        results = services.verify_cases(
            svc,
            reader,
            case_ref=case,
            agency_code=agency,
            include_children=include_children,
            jobs=jobs,
        )
        findings = stream_findings(results, progress, as_json)
        checked, found = progress.count, progress.found
        if as_json:
            scope = (
                {"case": case}
                if case
                else services.checkpoint_scope(svc, reader, agency, include_children)
            )
            echo_json(
                {
                    "scope": scope,
                    "cases_checked": checked,
                    "findings": [f.__dict__ for f in findings],
                }
            )
        elif found:
            typer.echo(
                f"校验 {checked} 件案件，发现 {found} 处问题（已记录；在再次校验无误之前，"
                "涉及机关的报表将拒绝生成）。"
            )
        else:
            typer.echo(f"校验 {checked} 件案件，历史记录完整，派生数据与事件一致，未发现篡改。")
        if found:
            raise typer.Exit(1)


def checkpoint(
    output: Annotated[
        Path, typer.Option("--output", help="写入此文件（JSON 行；文件名以 .gz 结尾则压缩）")
    ],
    as_user: AsReader,
    agency: Agency = None,
    include_children: IncludeChildren = False,
    force: Force = False,
    as_json: JsonFlag = False,
) -> None:
    """导出检查点：每件案件的链头与总摘要；摘要请另行保存，日后用 checkpoint-check 核对。"""
    from govflow.workflow import services

    with user_errors():
        _check_scope(agency, include_children)
        check_target(output, force)
        svc = build_services()
        reader = person(svc, as_user)
        taken_at = svc.clock.now()
        scope = services.checkpoint_scope(svc, reader, agency, include_children)
        stream = services.checkpoint_heads(
            svc, reader, agency_code=agency, include_children=include_children
        )
        progress = Progress("已导出 {count} 件案件的链头…")
        header, digest = write_checkpoint(
            output, stream, taken_at, scope, progress.tick, force, svc.keyring
        )
        progress.done()
        services.record_checkpoint(svc, reader, header, digest)
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
    as_user: AsReader,
    digest: Annotated[
        str | None, typer.Option("--digest", help="另行保存的摘要（64 位十六进制）")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """用检查点核对数据库：案件是否仍在、历史是否被截短或改写；发现问题时退出码为 1。"""
    from govflow.workflow import services

    with user_errors():
        kept = None if digest is None else digest.strip().lower()
        if kept is not None and not is_digest(kept):
            raise InvalidInput("--digest 应为 64 位十六进制数（导出检查点时显示的摘要）")
        from govflow.app import check_installation

        keyring = check_installation()  # the file is judged before any database is opened
        found_file = trusted_scan(file, kept, keyring)
        header = found_file.header
        keyed = kept is None and file_mac(found_file, keyring) is True
        if kept is None and not keyed and not as_json:
            typer.echo(
                "提示：未给出另行保存的摘要（--digest），只能确认文件与其自身记载的摘要一致；"
                "文件若连同摘要被替换，须用另行保存的摘要才能发现。",
                err=True,
            )
        if not as_json:
            typer.echo(
                f"检查点：{_local(header.taken_at)}（北京时间）导出，范围：{scope_label(header.scope)}，"
                f"{header.cases} 件案件，摘要 {found_file.computed}"
                + (
                    "（与另行保存的摘要一致）"
                    if kept
                    else "（文件的 MAC 与本机链密钥相符）"
                    if keyed
                    else "（与文件记载一致）"
                )
            )
        svc = build_services()
        reader = person(svc, as_user)
        progress = Progress("已核对 {count} 件案件，发现 {found} 处问题…")
        results = services.check_checkpoint(svc, reader, header, heads(read_lines(file)))
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


def trusted_scan(file: Path, kept: str | None, keyring: Keyring | None = None) -> Scan:
    """The file, parsed, if it can be trusted: one altered since it was written, whose MAC
    does not check, or not matching the digest kept elsewhere, is a finding in itself
    (exit 1), and nothing is checked against it; one that is no checkpoint at all is bad
    input (exit 2)."""
    found, problem = scan_file(file, kept, keyring)
    if (
        problem is None
        and kept is None
        and found.mac is not None
        and file_mac(found, keyring) is None
    ):
        typer.echo(
            f"提示：文件以链密钥 {found.key_id} 签名，本机未配置该密钥，无法核对 MAC。", err=True
        )
    if problem is not None:
        fail(f"{file}: 检查点文件不可信，不能据此核对：{problem}", 1)
    return found


def _check_scope(agency: str | None, include_children: bool) -> None:
    if include_children and agency is None:
        raise InvalidInput("--include-children 须与 --agency 一起使用")


def _local(instant: datetime) -> str:
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
