"""Writing a file a front end was asked to write (``--output``, ``--keep``): one helper for all.

A clerk's ``--output 2025.xlsx`` must never silently replace last year's report, and a
link planted in a shared folder (``2025.xlsx -> /srv/govflow/govflow.db``) must never
make govflow write through it. So:

* an existing name is refused unless ``--force`` is given;
* a symbolic link is never followed: the content goes to a new temporary file in the
  same folder, which then takes the name (``os.link`` without ``--force``, so a file
  created meanwhile is not overwritten; ``os.replace`` with it, which replaces a link
  itself, never its target);
* a write cut short (full disk, Ctrl-C) leaves the old file, or nothing, never half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from govflow.workflow.errors import InvalidInput
from govflow.workflow.validation import file_problem


def check_target(path: Path, force: bool) -> None:
    """Refuse before any work is done: no folder, a folder, or an existing name without force."""
    if not path.parent.is_dir():
        raise InvalidInput(f"{path}: 所在目录不存在")
    if path.is_symlink():
        if not force:
            raise InvalidInput(f"{path}: 是符号链接，不会写入其指向的文件（加 --force 替换该链接）")
        return
    if path.is_dir():
        raise InvalidInput(f"{path}: 是目录")
    if path.exists() and not force:
        raise InvalidInput(f"{path}: 文件已存在；如需覆盖请加 --force")


@contextlib.contextmanager
def safe_output(path: Path, force: bool) -> Iterator[BinaryIO]:
    """A binary stream whose content becomes ``path`` when the block ends without error."""
    check_target(path, force)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o644 & ~_umask())
        _publish(temp, path, force)
    except OSError as exc:
        raise InvalidInput(f"{path}: 无法写入：{file_problem(exc, '写入')}") from None
    finally:
        temp.unlink(missing_ok=True)


def write_output(path: Path, data: bytes, force: bool) -> None:
    with safe_output(path, force) as stream:
        stream.write(data)


def write_with(path: Path, force: bool, write: Callable[[BinaryIO], None]) -> None:
    """For writers that take a stream (a spreadsheet library, a copy)."""
    with safe_output(path, force) as stream:
        write(stream)


def _publish(temp: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(temp, path)  # replaces a link itself, never what it points to
        return
    try:
        os.link(temp, path, follow_symlinks=False)  # fails if the name appeared meanwhile
    except FileExistsError:
        raise InvalidInput(f"{path}: 文件已存在；如需覆盖请加 --force") from None
    except OSError:
        # A file system without hard links (some network shares): check, then rename.
        if os.path.lexists(path):
            raise InvalidInput(f"{path}: 文件已存在；如需覆盖请加 --force") from None
        os.replace(temp, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
