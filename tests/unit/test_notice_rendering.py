"""Rendering a notice from a light copy of its template (``workflow.notices.rendering``)
gives, part for part, what docxtpl gives from the whole template."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from govflow.workflow.disclosure.notice_fill import allowed_fields
from govflow.workflow.notices.rendering import LIGHT_LIMIT, CompilingSandbox, Prepared
from govflow.workflow.notices.templates import NoticeTemplates
from tests.config import notice_catalog, notice_templates_dir

TEMPLATES = NoticeTemplates(notice_catalog(), allowed_fields, notice_templates_dir())


def _whole(source: bytes, values: dict[str, str]) -> bytes:
    """docxtpl on the whole template: the oracle."""
    document = DocxTemplate(io.BytesIO(source))
    document.render(dict(values), SandboxedEnvironment(autoescape=True), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _parts(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert zf.testzip() is None  # every member's CRC holds
        return {name: zf.read(name) for name in zf.namelist()}


def _same(expected: bytes, got: bytes) -> None:
    want, have = _parts(expected), _parts(got)
    assert list(have) == list(want)
    for name, data in want.items():
        if data != have[name]:  # XML written differently but meaning the same is the same
            canonical = etree.tostring(etree.fromstring(data), method="c14n")
            assert etree.tostring(etree.fromstring(have[name]), method="c14n") == canonical, name


@pytest.mark.parametrize("kind", sorted(TEMPLATES.templates))
def test_every_shipped_template_renders_as_docxtpl_renders_the_whole(kind: str) -> None:
    source = TEMPLATES.templates[kind].path.read_bytes()  # type: ignore[union-attr]
    values = {name: f"<{name}>\n第二行 & 完" for name in allowed_fields(kind)}
    prepared = Prepared(source)
    assert prepared.set_aside  # the styles: what makes the light copy light
    env = CompilingSandbox()
    first = prepared.render(dict(values), env)
    _same(_whole(source, values), first)
    assert prepared.compiled is not None  # the first notice rendered the same both ways
    others = {name: f"另一{name}\n\t第三行 <b>" for name in allowed_fields(kind)}
    again = prepared.render(others, env)  # compiled: each part's Jinja compiled once, too
    _same(_whole(source, others), again)
    assert "另一".encode() in _parts(again)["word/document.xml"]


def test_a_template_the_compiled_path_cannot_render_keeps_docxtpls() -> None:
    source = TEMPLATES.templates["correction"].path.read_bytes()  # type: ignore[union-attr]
    with zipfile.ZipFile(io.BytesIO(source)) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    del parts["docProps/core.xml"]  # python-docx makes core properties stamped with the time
    parts["_rels/.rels"] = re.sub(
        rb"<Relationship [^>]*core-properties[^>]*/>", b"", parts["_rels/.rels"]
    )
    stripped = io.BytesIO()
    with zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    prepared = Prepared(stripped.getvalue())
    values = {name: name for name in allowed_fields("correction")}
    prepared.render(values, CompilingSandbox())
    assert prepared.compiled is None
    assert (
        "示范".encode()
        in _parts(prepared.render({**values, "agency": "示范"}, CompilingSandbox()))[
            "word/document.xml"
        ]
    )


def test_a_large_part_with_a_placeholder_is_rendered_not_set_aside() -> None:
    source = TEMPLATES.templates["correction"].path.read_bytes()  # type: ignore[union-attr]
    with zipfile.ZipFile(io.BytesIO(source)) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    body = parts["word/footer1.xml"]
    padding = b"<!--" + b" " * LIGHT_LIMIT + b"-->"
    parts["word/footer1.xml"] = body.replace(b"</w:ftr>", b"{{ agency }}" + padding + b"</w:ftr>")
    grown = io.BytesIO()
    with zipfile.ZipFile(grown, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    prepared = Prepared(grown.getvalue())
    assert "word/footer1.xml" not in prepared.set_aside
    rendered = _parts(prepared.render({"agency": "示范县政府办"}, CompilingSandbox()))
    assert "示范县政府办".encode() in rendered["word/footer1.xml"]
