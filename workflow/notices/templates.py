"""The .docx templates: found (an office's directory first, then the shipped ones), checked at
load, rendered with docxtpl.

A template may use only the values its case type fills for its kind: ``{{ name }}`` to print
one, ``{%p if name %}…{%p endif %}`` to keep a paragraph only when it has a value. Any other
name is refused when the template is loaded, with the file and the place (paragraph or table
cell), so a typo in an office's template never reaches an applicant as a blank: all of them
by ``check_all`` (``govflow init``, ``govflow run``, ``govflow notices check``), and each
one before its first use in a process, so an action never issues from an unchecked template.
Checking all sixteen takes most of a second, which a short CLI command should not pay.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from govflow.workflow.errors import InvalidInput
from govflow.workflow.notices.catalog import Catalog

# Every name inside {{ … }} or {% … %} (filters after | and string literals aside).
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%-?\s*[pr]?\s*(.*?)-?%\}", re.S)
_NAME = re.compile(r"(?<![\w.|'\"])([A-Za-z_][A-Za-z0-9_]*)")
_KEYWORDS = {"if", "elif", "else", "endif", "for", "in", "endfor", "not", "and", "or", "is"}
_KEYWORDS |= {"true", "false", "none", "True", "False", "None", "loop"}


SHIPPED_DIR = ("notices", "templates")  # where the shipped templates are, under govflow.configs


@dataclass(frozen=True)
class Template:
    kind: str
    path: Path


class NoticeTemplates:
    """Every kind's template, checked; ``render`` fills one and returns the .docx bytes."""

    def __init__(
        self,
        catalog: Catalog,
        allowed: Callable[[str], frozenset[str]],
        shipped_dir: Path,
        override_dir: Path | None = None,
    ) -> None:
        """``allowed(kind)``: the values a template of that kind may name (the case type's
        ``NoticePlan.allowed_fields``)."""
        self.catalog = catalog
        self.allowed = allowed
        self.shipped_dir = shipped_dir
        self.templates: dict[str, Template] = {}
        files = {code: kind.template for code, kind in catalog.kinds.items()}
        for code, name in {**files, COVER_KIND: COVER}.items():
            path = shipped_dir / name
            if override_dir is not None and (override_dir / name).is_file():
                path = override_dir / name
            if not path.is_file():
                raise InvalidInput(f"{path}: 缺少告知书模板（{code}）")
            self.templates[code] = Template(code, path)
        self._checked: set[str] = set()
        self._lock = threading.Lock()

    def check_all(self) -> int:
        """Check every template now; returns how many."""
        for kind in self.templates:
            self._check(kind)
        return len(self.templates)

    def _check(self, kind: str) -> None:
        with self._lock:
            if kind not in self._checked:
                check_template(self.templates[kind].path, self.allowed(kind))
                self._checked.add(kind)

    def render(self, kind: str, values: Mapping[str, str]) -> bytes:
        from docxtpl import DocxTemplate

        self._check(kind)
        document = DocxTemplate(str(self.templates[kind].path))
        document.render(dict(values), autoescape=True)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


COVER = "case_file_cover.docx"
COVER_KIND = "case_file_cover"


def _places(path: Path) -> Iterator[tuple[str, str]]:
    """(place, text) of every paragraph a person could put a placeholder in."""
    from docx import Document

    document = Document(str(path))
    for i, paragraph in enumerate(document.paragraphs, 1):
        yield f"第 {i} 段", paragraph.text
    for t, table in enumerate(document.tables, 1):
        for r, row in enumerate(table.rows, 1):
            for c, cell in enumerate(row.cells, 1):
                yield f"表格 {t} 第 {r} 行第 {c} 列", cell.text
    for s, section in enumerate(document.sections, 1):
        for part, name in ((section.header, "页眉"), (section.footer, "页脚")):
            for i, paragraph in enumerate(part.paragraphs, 1):
                yield f"第 {s} 节{name}第 {i} 段", paragraph.text


def check_template(path: Path, allowed: frozenset[str]) -> None:
    """Refuse a template that names a value its kind does not have, or is not valid Jinja."""
    try:
        places = list(_places(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is no .docx
        raise InvalidInput(f"{path}: 不是有效的 .docx 文件：{exc}") from None
    for place, text in places:
        for match in _TAG.finditer(text):
            expression = match.group(1) if match.group(1) is not None else match.group(2)
            loop_vars = set(re.findall(r"\bfor\s+([A-Za-z_]\w*)\s+in\b", expression))
            for name in _NAME.findall(re.sub(r"'[^']*'|\"[^\"]*\"", "", expression)):
                if name in _KEYWORDS or name in loop_vars or name in allowed:
                    continue
                raise InvalidInput(
                    f"{path}: {place}: 未知占位符 {name!r}（{match.group(0).strip()}）；"
                    f"可用：{', '.join(sorted(allowed))}"
                )
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    try:
        DocxTemplate(str(path)).get_undeclared_template_variables()
    except TemplateError as exc:
        raise InvalidInput(f"{path}: 模板语法错误：{exc}") from None
