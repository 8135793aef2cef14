"""``--force``: the one option of the commands that write a file (``--output``, ``--keep``).

How the file is written — never over an existing name without it, never through a link, never
half a file — is ``govflow.presentation.files``, shared with the demo and the other front ends.
"""

from __future__ import annotations

from typing import Annotated

import typer

from govflow.presentation.files import check_target, safe_output, write_output, write_with

Force = Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖")]

__all__ = ["Force", "check_target", "safe_output", "write_output", "write_with"]
