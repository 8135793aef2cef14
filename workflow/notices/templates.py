"""The .docx templates: found, checked at load, rendered with docxtpl (``rendering``).

A notice of an agency is filled from the first of: the template uploaded for that agency,
the one uploaded for every agency (``uploads``), ``<template_dir>/<agency code>/<file>``,
``<template_dir>/<file>``, the shipped one (``pick``).

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
from govflow.workflow.notices.rendering import CompilingSandbox, Prepared

# Every name inside {{ … }} or {% … %} (filters after | and string literals aside).
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%-?\s*[pr]?\s*(.*?)-?%\}", re.S)
_NAME = re.compile(r"(?<![\w.|'\"])([A-Za-z_][A-Za-z0-9_]*)")
_KEYWORDS = {"if", "elif", "else", "endif", "for", "in", "endfor", "not", "and", "or", "is"}
_KEYWORDS |= {"true", "false", "none", "True", "False", "None", "loop"}


SHIPPED_DIR = ("notices", "templates")  # where the shipped templates are, under govflow.configs


@dataclass(frozen=True)
class Template:
    """A template file, or an uploaded template's bytes (``content``)."""

    kind: str
    label: str  # what an issued notice records: the file's name, or the upload
    path: Path | None = None
    content: bytes | None = None

    def source(self) -> Path | bytes:
        if self.content is not None:
            return self.content
        assert self.path is not None
        return self.path

    def open(self) -> str | io.BytesIO:
        return io.BytesIO(self.content) if self.content is not None else str(self.path)


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
        self.override_dir = override_dir
        self.files = {code: kind.template for code, kind in catalog.kinds.items()}
        self.files[COVER_KIND] = COVER
        self.templates: dict[str, Template] = {}  # the installation's: directory, else shipped
        for code, name in self.files.items():
            path = shipped_dir / name
            if override_dir is not None and (override_dir / name).is_file():
                path = override_dir / name
            if not path.is_file():
                raise InvalidInput(f"{path}: 缺少告知书模板（{code}）")
            self.templates[code] = Template(code, name, path)
        self._agency: dict[tuple[str, str], Template] = {}  # per agency directory, as found
        self._checked: set[str] = set()
        self._ready: dict[str, Prepared] = {}
        self._env = CompilingSandbox()
        self._lock = threading.Lock()

    def agency_templates(self) -> list[Template]:
        """Every template of ``<template_dir>/<agency code>/``."""
        if self.override_dir is None or not self.override_dir.is_dir():
            return []
        found = []
        for folder in sorted(p for p in self.override_dir.iterdir() if p.is_dir()):
            for code, name in self.files.items():
                if (folder / name).is_file():
                    found.append(Template(code, f"{folder.name}/{name}", folder / name))
        return found

    def check_all(self) -> int:
        """Check every template now (the agencies' directories too); returns how many."""
        every = [*self.templates.values(), *self.agency_templates()]
        for template in every:
            self._check(template)
        return len(every)

    def _check(self, template: Template) -> None:
        key = self._key(template)
        with self._lock:
            if key not in self._checked:
                check_template(template.source(), self.allowed(template.kind), template.label)
                self._checked.add(key)

    def pick(
        self,
        kind: str,
        agency_code: str | None = None,
        uploads: Mapping[tuple[str | None, str], Template] | None = None,
    ) -> Template:
        """The template a notice of ``kind`` issued by ``agency_code`` is filled from."""
        if uploads:
            found = uploads.get((agency_code, kind)) or uploads.get((None, kind))
            if found is not None:
                return found
        if agency_code is None or self.override_dir is None:
            return self.templates[kind]
        key = (agency_code, kind)
        if key not in self._agency:
            path = self.override_dir / agency_code / self.files[kind]
            self._agency[key] = (
                Template(kind, f"{agency_code}/{self.files[kind]}", path)
                if path.is_file()
                else self.templates[kind]
            )
        return self._agency[key]

    def render(self, kind: str | Template, values: Mapping[str, str]) -> bytes:
        template = self.templates[kind] if isinstance(kind, str) else kind
        self._check(template)
        return self._prepared(template).render(dict(values), self._env)

    def _prepared(self, template: Template) -> Prepared:
        """The template split for rendering (``rendering``), once per file or upload."""
        key = self._key(template)
        found = self._ready.get(key)
        if found is None:
            source = template.source()
            found = Prepared(source if isinstance(source, bytes) else source.read_bytes())
            with self._lock:
                self._ready[key] = found
        return found

    @staticmethod
    def _key(template: Template) -> str:
        # An upload's content never changes (a new upload is a new label); a file is
        # checked, and read, once per process, as ``check_all`` documents.
        return str(template.path) if template.content is None else template.label


COVER = "case_file_cover.docx"
COVER_KIND = "case_file_cover"


def _places(source: Path | bytes) -> Iterator[tuple[str, str]]:
    """(place, text) of every paragraph a person could put a placeholder in."""
    from docx import Document

    document = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
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


def check_template(source: Path | bytes, allowed: frozenset[str], name: str | None = None) -> None:
    """Refuse a template that names a value its kind does not have, or is not valid Jinja:
    a file (named by its path) or an upload's bytes (named ``name``)."""
    path = source if isinstance(source, Path) else (name or "上传的模板")
    try:
        places = list(_places(source))
    except Exception as exc:  # python-docx raises several kinds for a file that is no .docx
        raise InvalidInput(f"{path}: 不是有效的 .docx 文件：{exc}") from None
    for place, text in places:
        for match in _TAG.finditer(text):
            expression = match.group(1) if match.group(1) is not None else match.group(2)
            if "__" in expression:
                raise InvalidInput(
                    f"{path}: {place}: 不允许使用以 __ 开头的内部名称（{match.group(0).strip()}）"
                )
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
        opened = io.BytesIO(source) if isinstance(source, bytes) else str(source)
        DocxTemplate(opened).get_undeclared_template_variables()
    except TemplateError as exc:
        raise InvalidInput(f"{path}: 模板语法错误：{exc}") from None
