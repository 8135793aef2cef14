"""Every word of the web pages goes through the catalogue (issue 12).

* No Chinese (CJK ideographs) in a template outside ``_()``/``{% trans %}``: the template
  is lexed with the pages' own Jinja2 environment; its data text must hold none, and a
  string literal with Chinese must be one Babel extracts from that template.
* No Chinese in a page module's string literals outside ``_()``/``N_()`` (docstrings and
  comments are for engineers and stay).
* ``messages.pot`` lists exactly the msgids the sources hold, and the English catalogue
  lists the same (untranslated entries fall back to the Chinese msgid).
* The labels the navigation shows come from the service layer and the domain; each must be
  in the catalogue (``i18n.NAVIGATION``, ``i18n.ROLES``), and so must the limits' badges and
  statuses (``i18n.BADGES``, ``i18n.STATUSES``) and the kinds of audit findings
  (``i18n.FINDING_KINDS``).
* Every domain word of the shipped declarations (``configs/``: case types, states, actions,
  fields, limits, outcomes, grades …, and what the types' Python contracts add) is in
  ``messages.pot`` (``catalogue_extract``), checked against the catalogue as the engine loads it.
"""

from __future__ import annotations

import ast
import importlib
import re
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from govflow import configuration
from govflow.presentation import urgency
from govflow.web import catalogue_extract, i18n
from govflow.web.pages.render import ENV, TEMPLATES
from govflow.workflow import texts
from govflow.workflow.actors import ROLE_LABELS
from govflow.workflow.events import FINDING_KINDS

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "govflow" / "web"
PAGES = WEB / "pages"
CONFIGS = ROOT / "configs"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
TRANSLATING = {"_", "N_"}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def _msgids_of_template(source: str) -> set[str]:
    found = extract("jinja2", BytesIO(source.encode()), KEYWORDS, options=JINJA_OPTIONS)
    ids: set[str] = set()
    for _lineno, message, _comments, _context in found:
        ids.update(message if isinstance(message, tuple) else (message,))
    return ids


def untranslated_in_template(source: str, name: str = "t.html") -> list[str]:
    """Chinese of ``source`` a person would read untranslated, with its line."""
    extracted = _msgids_of_template(source)
    found = []
    in_trans, previous = False, ""
    for lineno, kind, value in ENV.lex(source, name):
        if kind == "name" and previous == "block_begin" and value in ("trans", "endtrans"):
            in_trans = value == "trans"  # a trans block's text is its msgid
        previous = kind if kind != "whitespace" else previous
        if kind == "data" and CJK.search(value) and not in_trans:
            found.append(f"{name}:{lineno}: {value.strip()!r}")
        elif kind == "string" and CJK.search(value) and value[1:-1] not in extracted:
            found.append(f"{name}:{lineno}: {value}")
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def untranslated_in_module(source: str, name: str = "m.py") -> list[str]:
    tree = ast.parse(source)
    allowed = _docstrings(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in TRANSLATING
            and node.args
        ):
            allowed.add(id(node.args[0]))
    return [
        f"{name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CJK.search(node.value)
        and id(node) not in allowed
    ]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_shows_chinese_outside_the_catalogue(template: str) -> None:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert untranslated_in_template(source, template) == []


@pytest.mark.parametrize("module", sorted(p.name for p in PAGES.glob("*.py")))
def test_no_page_module_shows_chinese_outside_the_catalogue(module: str) -> None:
    source = (PAGES / module).read_text(encoding="utf-8")
    assert untranslated_in_module(source, module) == []


def test_the_checks_see_an_unwrapped_string() -> None:
    assert untranslated_in_template("<p>{{ _('登录') }}</p>") == []
    assert untranslated_in_template("<p>{% trans %}共 {{ n }} 件{% endtrans %}</p>") == []
    assert untranslated_in_template('{% set e = _("无") %}{{ e }}') == []
    assert untranslated_in_template("<h1>登录</h1>")
    assert untranslated_in_template('<nav aria-label="主导航"></nav>')
    assert untranslated_in_template('{% set e = "无" %}{{ e }}')
    assert untranslated_in_module('"""文档。"""\nX = _("登录")\nY = N_("登录")\n') == []
    assert untranslated_in_module('X = "登录"\n')
    assert untranslated_in_module('X = f"已锁定 {name}"\n')
    assert untranslated_in_module('X = _(f"已锁定 {name}")\n')  # not extractable either


def _extracted() -> set[str]:
    """What ``pybabel extract`` collects from its two inputs (see babel.cfg)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    ids: set[str] = set()
    for directory in (WEB, CONFIGS):
        for _file, _lineno, message, _comments, _context in extract_from_dir(
            str(directory), method_map, options_map, keywords=KEYWORDS
        ):
            ids.update(message if isinstance(message, tuple) else (message,))
    return ids


def _catalogue(path: Path) -> set[str]:
    with path.open("rb") as fp:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fp) if m.id}


def test_messages_pot_is_up_to_date_with_the_sources() -> None:
    pot = _catalogue(i18n.LOCALE_DIR / "messages.pot")
    sources = _extracted()
    hint = "re-extract: see babel.cfg (pybabel extract …, then pybabel update)"
    assert sorted(sources - pot) == [], f"strings missing from messages.pot; {hint}"
    assert sorted(pot - sources) == [], f"messages.pot lists strings no source has; {hint}"


def test_every_shipped_catalogue_follows_the_pot() -> None:
    pot = _catalogue(i18n.LOCALE_DIR / "messages.pot")
    for po in i18n.LOCALE_DIR.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po"):
        assert _catalogue(po) == pot, f"{po}: run pybabel update (see babel.cfg)"


def test_the_navigation_and_role_labels_are_in_the_catalogue() -> None:
    # The service layer's table of sections (private: read here only to list its labels).
    sections = importlib.import_module("govflow.workflow.services.workbench")._PARTS
    shown = {part.label for part in sections}
    shown |= {"登记申请", "登记案件"}  # the two register links workbench() adds
    assert shown <= set(i18n.NAVIGATION)
    assert set(ROLE_LABELS.values()) <= set(i18n.ROLES)


def test_english_translates_the_login_page_and_zh_cn_is_the_source() -> None:
    english = i18n.load("en")
    assert english.gettext("登录") == "Sign in"
    assert english.gettext("我的待办") == "My queue"
    assert english.gettext("一个未翻译的词") == "一个未翻译的词"  # falls back to the msgid
    assert i18n.load(i18n.SOURCE_LOCALE).gettext("登录") == "登录"


def _pot() -> set[str]:
    return _catalogue(i18n.LOCALE_DIR / "messages.pot")


def _loaded_words() -> set[str]:
    """Every domain word of the configuration as the engine loads it (the shipped settings)."""
    config = configuration.load_config({})
    words: set[str] = set()
    for workflow in config.case_types.values():
        words.update(catalogue_extract.type_words(workflow))
    words.update(o.label for o in config.outcomes.values())
    return words


def test_every_label_of_the_shipped_declarations_is_in_the_catalogue() -> None:
    pot = _pot()
    hint = "re-extract: see babel.cfg (pybabel extract …, then pybabel update)"
    assert sorted(_loaded_words() - pot) == [], f"domain words missing from messages.pot; {hint}"
    assert sorted(catalogue_extract.shipped_words() - pot) == [], hint


def test_the_contracts_own_words_are_extracted() -> None:
    # Labels no YAML holds: the disclosure request's limits and input fields (Python).
    words = catalogue_extract.shipped_words()
    assert {"答复期限", "补正告知期限", "缴费期限", "征求意见期限", "督办函报告时限"} <= words
    assert {"收到申请之日", "申请人类别", "答复类型"} <= words
    assert {"待确认收到", "开始审核", "政务舆情事件", "发布权威信息时限", "（一）予以公开"} <= words


def test_a_newly_declared_label_is_extracted_and_missed_until_re_extracted(
    tmp_path: Path,
) -> None:
    # A temporary copy of the shipped declarations with one more state, action and field.
    copy = tmp_path / "configs"
    shutil.copytree(CONFIGS, copy, ignore=shutil.ignore_patterns("calendar", "*.py"))
    declaration = copy / "case_types" / "online_message.yaml"
    text = declaration.read_text(encoding="utf-8")
    text = text.replace("  closed: 已办结\n", "  closed: 已办结\n  reopened: 已重新受理\n")
    text = text.replace(
        "actions:\n",
        "actions:\n  reopen:\n    label: 重新受理留言\n    roles: [office_head]\n"
        "    fields: [{name: why, label: 重新受理原因, type: text}]\n"
        "    transitions: [{source: closed, dest: reopened}]\n",
    )
    declaration.write_text(text, encoding="utf-8")
    grades = copy / "incident_grades.yaml"
    grades.write_text(
        grades.read_text(encoding="utf-8").replace("label: 一般", "label: 一般（新）"),
        encoding="utf-8",
    )
    added = {"已重新受理", "重新受理留言", "重新受理原因", "一般（新）"}
    words = catalogue_extract.shipped_words(copy)
    assert added <= words
    assert sorted(added & _pot()) == []  # the check above would name each of them


def test_the_badges_and_statuses_are_in_the_catalogue() -> None:
    badges = {u.label for u in vars(urgency).values() if isinstance(u, urgency.Urgency)}
    assert badges <= set(i18n.BADGES)
    assert {*texts.STATUS_LABELS.values(), texts.WINDOW_CLOSED} <= set(i18n.STATUSES)


def test_the_kinds_of_audit_findings_are_in_the_catalogue() -> None:
    assert set(FINDING_KINDS.values()) == set(i18n.FINDING_KINDS)


def test_english_names_the_domain_words_and_zh_cn_keeps_them() -> None:
    english = i18n.load("en")
    token = i18n._CURRENT.set(english)
    try:
        assert i18n.word("开始审核") == "Start review"
        assert i18n.word("审核中") == "Under review"
        assert i18n.word("答复期限") == "Reply deadline"
        assert i18n.word("政务舆情事件") == "Public-opinion incident"
        assert i18n.word("征求意见期限（第三方：某公司）") == "征求意见期限（第三方：某公司）"
        assert i18n.word("") == ""  # not the catalogue's header
        assert i18n.word(None) is None
    finally:
        i18n._CURRENT.reset(token)
    assert i18n.word("开始审核") == "开始审核"  # outside a request: the source text
