"""Checkpoint files (SPEC A-2) on disk: written atomically (``presentation.files``), signed
with the installation's chain key when there is one, read gzip or not, checked for tampering
before anything is compared with the database. The format itself (lines, digest, what the
MAC covers) is ``govflow.workflow.checkpoints``; this is only its file."""

from __future__ import annotations

import contextlib
import gzip
import io
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from govflow.presentation.files import check_target, safe_output
from govflow.workflow.checkpoints import (
    CheckpointFormatError,
    Digest,
    Head,
    Header,
    Scan,
    line,
    mac_text,
    scan,
    trailer,
)
from govflow.workflow.errors import InvalidInput
from govflow.workflow.validation import file_problem

if TYPE_CHECKING:
    from govflow.workflow.keyring import Keyring


def file_mac(found: Scan, keyring: Keyring | None) -> bool | None:
    """Whether a file's MAC checks under the installation's keys: True, False (altered or
    forged by someone without the key), None (no MAC, or signed with a key not configured
    here)."""
    if found.mac is None or found.key_id is None or keyring is None:
        return None
    return keyring.check(found.key_id, mac_text(found.computed), found.mac)


def scan_file(
    file: Path, kept: str | None, keyring: Keyring | None = None
) -> tuple[Scan, str | None]:
    """The first pass over a checkpoint file: parsed and its digest recomputed, and why it
    cannot be trusted, if it cannot — altered since it was written, a MAC that does not
    check, or not matching the digest kept elsewhere: nothing is to be checked against such
    a record. A file that is not a checkpoint at all is bad input (``CheckpointFormatError``)."""
    try:
        found = scan(read_lines(file))
    except CheckpointFormatError as exc:
        raise CheckpointFormatError(f"{file}: {exc}") from None
    problem = found.tampered()
    if problem is None and file_mac(found, keyring) is False:
        problem = "文件末行的 MAC 与本机链密钥不符（文件被没有链密钥的人改动或伪造）"
    if problem is None and kept is not None and kept != found.computed:
        problem = (
            f"文件的摘要为 {found.computed}，与另行保存的摘要 {kept} 不符"
            "（文件连同摘要被替换，或不是那一次导出的检查点）"
        )
    return found, problem


def write_checkpoint(
    output: Path,
    stream: Iterable[Head],
    taken_at: datetime,
    scope: dict[str, Any],
    tick: Callable[[], None] = lambda: None,
    force: bool = False,
    keyring: Keyring | None = None,
) -> tuple[Header, str]:
    """Write the file; returns its header and digest. ``tick()`` after each case (progress).

    The header carries the case count, known only at the end: the heads are spooled to an
    unnamed temporary file first, then copied behind the header. The result goes through
    ``safe_output`` (a temporary name, then renamed), so a checkpoint cut short never looks
    complete and an existing file or a planted link is never overwritten. With a chain key,
    the last line carries the MAC of the digest: the file then proves itself to anyone
    holding the key.
    """
    check_target(output, force)
    count = 0
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8", dir=output.parent) as spool:
            for head in stream:
                spool.write(line(head.record()) + "\n")
                count += 1
                tick()
            header = Header(taken_at, scope, count)
            digest = Digest(header.record())
            spool.seek(0)
            with safe_output(output, force) as raw, _text(raw, output.name.endswith(".gz")) as out:
                out.write(line(header.record()) + "\n")
                for text in spool:
                    digest.add_line(text.rstrip("\n"))
                    out.write(text)
                final = digest.hexdigest()
                key_id = keyring.current if keyring is not None else None
                mac = keyring.mac(key_id, mac_text(final)) if key_id and keyring else None
                out.write(line(trailer(final, key_id, mac)) + "\n")
    except OSError as exc:
        raise InvalidInput(f"{output}: 无法写入：{exc}") from None
    return header, digest.hexdigest()


@contextlib.contextmanager
def _text(raw: BinaryIO, gz: bool) -> Iterator[TextIO]:
    """UTF-8 text lines over the output stream, gzip-compressed if asked; the stream itself
    stays open for ``safe_output`` to publish."""
    compressed = gzip.GzipFile(fileobj=raw, mode="wb") if gz else None
    text = io.TextIOWrapper(compressed or raw, encoding="utf-8", newline="\n")
    yield text
    text.detach()  # flushes, and leaves the stream under it open
    if compressed is not None:
        compressed.close()  # writes the gzip trailer; ``raw`` stays open


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
        raise InvalidInput(f"{path}: 无法读取：{file_problem(exc)}") from None
