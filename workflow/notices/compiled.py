"""Filling a template without opening it as a package for every notice.

For each notice docxtpl opens the template with python-docx, serialises its body to text,
cleans the tags Word scatters inside placeholders (``patch_xml``), renders, parses the
result back and saves every part of the package again. Only the rendering and what comes
after it depend on the values. The cleaned sources, the document's outer element and the
package's other parts as python-docx writes them are the same for every notice of a
template, so ``Compiled`` keeps them, and a notice runs docxtpl's own per-notice steps
(``render_xml_part``, ``fix_tables``, ``fix_docpr_ids``, the core properties) on them.

What this does not model (footnotes, which docxtpl renders as raw bytes; a package without
core properties, for which python-docx makes some with the time of opening) is refused
with ``Unsupported``, and the caller keeps docxtpl's whole path. The caller also compares
the first notice of each template both ways (``rendering.Prepared``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Environment

from govflow.workflow.notices.zipparts import Entry, deflated

FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
"""The core properties docxtpl renders (``DocxTemplate.render_properties``)."""


class Unsupported(Exception):
    """The template holds something only docxtpl's whole path renders as docxtpl does."""


class Compiled:
    """A template's per-notice work: its parts' Jinja sources and everything else as is."""

    def __init__(self, light: bytes, reference: list[Entry]) -> None:
        """``light``: the template docxtpl renders; ``reference``: the members of a notice
        rendered from it by docxtpl (with any set-aside parts put back), whose other parts
        every notice shares."""
        template = DocxTemplate(io.BytesIO(light))
        template.render_init()
        document = template.docx
        package = document.part.package
        if any(part.content_type == FOOTNOTES for part in package.iter_parts()):
            raise Unsupported("footnotes")
        if not any(rel.reltype == RT.CORE_PROPERTIES for rel in package.rels.values()):
            raise Unsupported("no core properties")
        self._document = _name(document.part.partname)
        self._body = template.patch_xml(template.get_xml())
        self._shell = deepcopy(document.element)  # the body is replaced for each notice
        self._shell.replace(self._shell.find(qn("w:body")), self._shell.makeelement("x"))
        self._headers: list[tuple[str, str, str]] = []
        for uri in (template.HEADER_URI, template.FOOTER_URI):
            for _, part in template.get_headers_footers(uri):
                xml = template.get_part_xml(part)
                encoding = template.get_headers_footers_encoding(xml)
                self._headers.append((_name(part.partname), template.patch_xml(xml), encoding))
        properties = package._core_properties_part
        self._properties = _name(properties.partname)
        self._properties_element = deepcopy(properties.element)
        self._initial = {p: getattr(properties.core_properties, p) for p in PROPERTIES}
        rendered = {self._document, self._properties, *(name for name, _, _ in self._headers)}
        if len(rendered) != 2 + len(self._headers) or not rendered <= {e.name for e in reference}:
            raise Unsupported("parts shared or missing")
        self._members = [(e.name, None if e.name in rendered else e) for e in reference]

    def render(self, values: Mapping[str, Any], env: Environment) -> list[Entry]:
        """The members of the notice, in the reference's order."""
        steps = DocxTemplate(io.BytesIO())  # docxtpl's per-notice methods, nothing opened
        steps.current_rendering_part = None
        steps.docx_ids_index = 1000
        filled: dict[str, bytes] = {}
        body = steps.fix_tables(steps.render_xml_part(self._body, None, values, env))
        steps.fix_docpr_ids(body)
        root = deepcopy(self._shell)
        root.replace(root.find("x"), body)
        filled[self._document] = serialize_part_xml(root)
        for name, source, encoding in self._headers:
            xml = steps.render_xml_part(source, None, values, env).encode(encoding)
            filled[name] = serialize_part_xml(parse_xml(xml))
        element = deepcopy(self._properties_element)
        properties = CoreProperties(element)
        for prop, initial in self._initial.items():
            setattr(properties, prop, env.from_string(initial).render(values))
        filled[self._properties] = serialize_part_xml(element)
        return [entry or deflated(name, filled[name]) for name, entry in self._members]


def _name(partname: str) -> str:
    return partname.lstrip("/")
