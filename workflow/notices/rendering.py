"""Filling a .docx template at the speed of its placeholders, not of its styles.

docxtpl opens the whole package with python-docx, renders the parts that may hold
placeholders (the body, headers, footers, footnotes, the document's properties) and saves
the whole package again. A letter's template carries about 790 kB of style definitions
(``styles.xml``, ``stylesWithEffects.xml``) that no placeholder reaches, and parsing,
re-serialising and re-compressing them was most of an action that issues a notice (about
48 ms of 55 ms for 延期答复告知书, and a compile of each part's Jinja source besides).

So a template is prepared once per process (``Prepared``): its large parts without a
placeholder are set aside, still compressed as the template holds them, and replaced by
an empty element of the same name in a light copy. docxtpl renders the light copy exactly
as it would the whole (the same patching of tags, the same escaping, the same sandbox),
and the result is assembled from the light output's entries with the set-aside parts put
back byte for byte (``zipparts.assemble``: no part is decompressed or compressed again). Parts
docxtpl must parse to render (the main document, headers, footers, foot- and endnotes,
the core properties) are never set aside.

After a template's first notice, ``compiled.Compiled`` takes over if it gave that notice
part for part as docxtpl did: it keeps what docxtpl recomputes for every notice although
the values never reach it (the cleaned Jinja sources, the package's other parts as
python-docx writes them), about a tenth of docxtpl's time for a notice.

``CompilingSandbox`` keeps each part's compiled Jinja template: docxtpl asks its
environment to compile the part's text on every render, and the same template gives the
same text.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from typing import TYPE_CHECKING, Any

import structlog
from jinja2 import Template as JinjaTemplate
from jinja2.sandbox import SandboxedEnvironment

from govflow.workflow.notices.zipparts import Entry, assemble, contents, entries

if TYPE_CHECKING:  # python-docx and docxtpl load with a process's first notice, not at start-up
    from govflow.workflow.notices.compiled import Compiled

log = structlog.get_logger(__name__)

LIGHT_LIMIT = 32 * 1024
"""Parts at least this large (uncompressed) and free of placeholders are set aside."""

_PLACEHOLDER = re.compile(rb"\{[{%]")
_RENDERED = re.compile(
    r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml|docProps/core\.xml"
)
_ROOT = re.compile(rb"<(?![?!])([^\s>/]+)([^>]*?)/?>")


def _stub(xml: bytes) -> bytes:
    """The part's root element, empty, with its namespace declarations."""
    root = _ROOT.search(xml)
    if root is None:
        raise ValueError("no root element")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<%s%s/>' % (
        root.group(1),
        root.group(2),
    )


class Prepared:
    """A template split once into a light copy for docxtpl and the parts set aside; after
    its first notice, compiled (``compiled.Compiled``) when that renders the same."""

    def __init__(self, template: bytes) -> None:
        self.set_aside: dict[str, Entry] = {}
        light = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(template)) as source,
            zipfile.ZipFile(light, "w", zipfile.ZIP_DEFLATED) as copy,
        ):
            raw = entries(template)
            for info in source.infolist():
                data = source.read(info)
                if (
                    info.file_size >= LIGHT_LIMIT
                    and not _RENDERED.fullmatch(info.filename)
                    and data.lstrip().startswith(b"<")
                    and not _PLACEHOLDER.search(data)
                ):
                    self.set_aside[info.filename] = raw[info.filename]
                    data = _stub(data)
                copy.writestr(info.filename, data)
        self.light = light.getvalue()
        self.compiled: Compiled | None = None
        self._tried = False

    def render(self, values: dict[str, Any], env: SandboxedEnvironment) -> bytes:
        if self.compiled is not None:
            return assemble(self.compiled.render(values, env))
        members = self._docxtpl(values, env)
        whole = assemble(members)
        if not self._tried:
            self._tried = True
            self.compiled = _compile(self.light, members, values, env, whole)
        return whole

    def _docxtpl(self, values: dict[str, Any], env: SandboxedEnvironment) -> list[Entry]:
        """docxtpl's whole path on the light copy, the set-aside parts put back."""
        from docxtpl import DocxTemplate

        document = DocxTemplate(io.BytesIO(self.light))
        document.render(values, env, autoescape=True)
        out = io.BytesIO()
        document.save(out)
        return [self.set_aside.get(e.name, e) for e in entries(out.getvalue()).values()]


def _compile(
    light: bytes,
    members: list[Entry],
    values: dict[str, Any],
    env: SandboxedEnvironment,
    whole: bytes,
) -> Compiled | None:
    """The template compiled, if it renders this notice part for part as docxtpl did
    (the check costs one more render, once per template and process)."""
    from govflow.workflow.notices.compiled import Compiled, Unsupported

    try:
        compiled = Compiled(light, members)
        ours = contents(assemble(compiled.render(values, env)))
        theirs = contents(whole)
        same = list(ours.items()) == list(theirs.items())
    except Unsupported:
        return None
    if not same:
        log.warning("notice_template_not_compiled", reason="renders differently from docxtpl")
        return None
    return compiled


class CompilingSandbox(SandboxedEnvironment):
    """A sandboxed, autoescaping environment that compiles each source text once.

    Sandboxed: a template (an upload, over the network) reaches no Python internals through
    the values it may name (``{{ title.__class__ }}``)."""

    LIMIT = 512  # distinct part texts kept: a few per template, a few dozen templates

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiled: dict[str, JinjaTemplate] = {}
        self._lock = threading.Lock()

    def from_string(  # type: ignore[override]
        self, source: str, globals: Any = None, template_class: Any = None
    ) -> JinjaTemplate:
        if globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        found = self._compiled.get(source)
        if found is None:
            found = super().from_string(source)
            with self._lock:
                if len(self._compiled) < self.LIMIT:
                    self._compiled[source] = found
        return found
