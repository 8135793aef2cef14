"""The domain's words in the pages' catalogue (issue 12): a Babel extraction method for the
declarations under ``configs/``.

The pages show words that come from data, not from a template: a case type's label, its
states, its actions, the fields of its forms and their choices, the names of its limits,
the reply outcomes, the incident grades, the notices' titles, the annual report's rows.
Their source text is zh-CN, like every msgid, so ``pybabel extract`` collects them into
the same ``messages.pot`` (``babel.cfg`` maps ``configs/**.yaml`` here) and a locale
translates them in its one ``.po``; the pages translate them as they show them
(``i18n.word``), never the domain or the stored events.

Two sources, each read whole so that a newly declared label cannot be forgotten:

* every YAML file: the values of the keys that name things (``label``, ``heading``,
  ``title``), the labels of code → label maps (``states``, ``choices``) and the ``topics``;
* a case-type declaration is also loaded as the engine loads it (``registry.load_workflow``),
  with its rules module if it names one, and every word its contract shows is yielded: the
  labels its Python code supplies (a disclosure request's input fields, coded values,
  limits) as well as the declared ones.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import yaml

from govflow import configs, configuration
from govflow.workflow.contract import COMMON_FIELD_LABELS, Workflow
from govflow.workflow.inputs import type_actions
from govflow.workflow.registry import load_workflow

NAMING_KEYS = frozenset({"label", "heading", "title"})
"""Keys whose (string) value is a name people read."""
LABEL_MAPS = frozenset({"states", "choices"})
"""Keys whose value maps codes to the names people read."""
LABEL_LISTS = frozenset({"topics"})
"""Keys whose value lists names people read (and choose from)."""
SKIPPED = ("calendar",)
"""Folders of ``configs/`` holding no words the pages show (the year schedules)."""

Extracted = tuple[int, str | None, str, list[str]]
"""Babel's extraction tuple: line, keyword (None: the string itself), message, comments."""


def declared_words(node: yaml.Node) -> Iterator[tuple[int, str]]:
    """Every name in a YAML document, with its line, in the order it is written."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name in NAMING_KEYS and isinstance(value, yaml.ScalarNode):
                yield from _scalar(value)
            elif name in LABEL_MAPS and isinstance(value, yaml.MappingNode):
                for _code, label in value.value:
                    yield from _scalar(label)
            elif name in LABEL_LISTS and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    yield from _scalar(item)
            else:
                yield from declared_words(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from declared_words(item)


def _scalar(node: yaml.Node) -> Iterator[tuple[int, str]]:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str") and node.value.strip():
        yield node.start_mark.line + 1, node.value


def type_words(workflow: Workflow) -> Iterator[str]:
    """Every word a case of this type shows people through its contract: its label, states
    and actions, its input fields (the forms' and the histories'), their coded values and
    what the engine derived, and the names of its limits."""
    case_type = workflow.case_type
    yield case_type.label
    yield from case_type.states.values()
    yield case_type.create_action.label
    yield from (spec.label for spec in case_type.actions.values())
    labels = workflow.labels
    yield from COMMON_FIELD_LABELS.values()
    yield from labels.fields.values()
    yield from labels.derived.values()
    for names in labels.values.values():
        yield from names.values()
    yield from workflow.deadline_labels.values()
    for action in type_actions(workflow).actions:
        yield from (f.label for f in action.fields)


def _is_case_type(node: yaml.Node | None) -> bool:
    if not isinstance(node, yaml.MappingNode):
        return False
    keys = {k.value for k, _v in node.value if isinstance(k, yaml.ScalarNode)}
    return {"states", "actions"} <= keys


def extract_declarations(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel's extraction method for ``configs/**.yaml`` (``babel.cfg``): each name of the
    file, and for a case-type declaration every word of the contract loaded from it."""
    text = fileobj.read().decode("utf-8")
    root = yaml.compose(text)
    if root is None:
        return
    seen: set[str] = set()
    for lineno, word in declared_words(root):
        seen.add(word)
        yield lineno, None, word, []
    if not _is_case_type(root):
        return
    # Loaded from its path as the registry loads it (Babel opens the file it extracts).
    # The shipped settings only: what an office overrides changes no words.
    workflow = load_workflow(Path(fileobj.name), configuration.load_sources({}))
    lines = text.splitlines()
    for word in type_words(workflow):
        if word and word not in seen:
            seen.add(word)
            yield _line_of(word, lines), None, word, []


def _line_of(word: str, lines: list[str]) -> int:
    """Where the word is written in the declaration; 0 when only the contract's code has it."""
    return next((i for i, line in enumerate(lines, 1) if word in line), 0)


def shipped_words(directory: Path | None = None) -> set[str]:
    """Every word the shipped declarations give the pages: what ``pybabel extract`` must
    have put in ``messages.pot`` (``tests/unit/test_web_catalogue.py``)."""
    root = directory or configs.shipped()
    words: set[str] = set()
    for path in _declarations(root):
        with path.open("rb") as fp:
            words.update(word for _line, _kw, word, _c in extract_declarations(fp, (), (), {}))
    return words


def _declarations(root: Path) -> Iterable[Path]:
    return sorted(
        p for p in root.rglob("*.yaml") if not set(SKIPPED) & set(p.relative_to(root).parts)
    )
