"""Notice templates for tests: a shipped template with a line of an office's own wording
added, and one that names a value its kind does not have."""

from __future__ import annotations

import io

from docx import Document

from tests.config import notice_templates_dir


def with_line(kind_file: str, line: str) -> bytes:
    """The shipped ``kind_file`` with one more paragraph at the end."""
    document = Document(str(notice_templates_dir() / kind_file))
    document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
