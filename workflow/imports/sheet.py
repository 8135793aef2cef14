"""An import sheet as rows: the first non-empty line is the header; every later line keeps
its number as the spreadsheet shows it. Reading a file's bytes (.xlsx, .csv) into lines is
the front end's part (``govflow.presentation.import_sheet``); this is what the lines mean."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govflow.workflow.errors import InvalidInput


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line, header → cell)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def table(lines: Sequence[tuple[int, Sequence[Any]]], name: str) -> Sheet:
    """The sheet in the numbered ``lines`` of the file ``name``: blank lines skipped, the
    first the header (no header twice), the cells of the others by header."""
    filled = [(n, list(cells)) for n, cells in lines if not all(_blank(c) for c in cells)]
    if not filled:
        raise InvalidInput(f"{name}: 文件为空，没有表头")
    head_line, head = filled[0]
    headers = [str(h).strip() if not _blank(h) else "" for h in head]
    seen = [h for h in headers if h]
    twice = sorted({h for h in seen if seen.count(h) > 1})
    if twice:
        raise InvalidInput(f"{name}: 第 {head_line} 行表头重复：{'、'.join(twice)}")
    sheet = Sheet([h for h in headers if h])
    for n, cells in filled[1:]:
        sheet.rows.append((n, {h: c for h, c in zip(headers, cells, strict=False) if h}))
    return sheet
