"""Notice templates as data (SPEC N-1): every shipped template loads; a template naming a
value its kind does not have is refused at load with its file and place; an office's own
directory overrides the shipped file; the catalog cites an article for every outcome."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from docx import Document

from govflow import configs
from govflow.workflow.disclosure.notice_fill import allowed_fields
from govflow.workflow.errors import InvalidInput
from govflow.workflow.notices.catalog import parse_catalog
from govflow.workflow.notices.templates import NoticeTemplates, check_template
from tests.config import notice_catalog as catalog
from tests.config import notice_templates_dir as shipped_dir
from tests.config import outcomes


def test_every_shipped_template_loads_and_every_kind_has_one() -> None:
    templates = NoticeTemplates(catalog(), allowed_fields, shipped_dir())
    assert templates.check_all() == len(catalog().kinds) + 1
    assert set(templates.templates) == set(catalog().kinds) | {"case_file_cover"}
    for kind in catalog().kinds.values():
        assert (shipped_dir() / kind.template).is_file()


def test_the_fonts_are_named_for_the_east_asian_script() -> None:
    """GB/T 9704: 方正小标宋简体 for the title, 仿宋_GB2312 for the body (w:eastAsia)."""
    document = Document(str(shipped_dir() / "correction.docx"))
    title = document.paragraphs[0].runs[0]
    east_asian = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    assert title.element.rPr.rFonts.get(east_asian) == "方正小标宋简体"
    body = next(p for p in document.paragraphs if "correction_items" in p.text).runs[0]
    assert body.element.rPr.rFonts.get(east_asian) == "仿宋_GB2312"
    section = document.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)


def _template_with(tmp_path: Path, *paragraphs: str, name: str = "correction.docx") -> Path:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / name
    document.save(str(path))
    return path


def test_unknown_placeholder_refused_with_file_and_place(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "{{ title }}", "{{ number }}", "请于{{ corection_due }}前补正")
    with pytest.raises(InvalidInput) as info:
        check_template(path, allowed_fields("correction"))
    message = str(info.value)
    assert str(path) in message and "第 3 段" in message and "corection_due" in message


def test_unknown_name_in_a_condition_or_a_table_cell_is_refused(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "{%p if fee_amount %}", "x", "{%p endif %}")
    with pytest.raises(InvalidInput, match="fee_amount"):
        check_template(path, allowed_fields("correction"))
    document = Document()
    document.add_table(rows=2, cols=2).cell(1, 1).text = "{{ applicant_id_number }}"
    document.save(str(tmp_path / "t.docx"))
    with pytest.raises(InvalidInput, match="表格 1 第 2 行第 2 列"):
        check_template(tmp_path / "t.docx", allowed_fields("correction"))


def test_broken_jinja_and_a_file_that_is_no_docx_are_refused(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "{{ title }", "{%p if title %}")
    with pytest.raises(InvalidInput, match="模板语法错误"):
        check_template(path, allowed_fields("correction"))
    (tmp_path / "x.docx").write_text("not a docx")
    with pytest.raises(InvalidInput, match=r"不是有效的 \.docx"):
        check_template(tmp_path / "x.docx", allowed_fields("correction"))


def test_an_office_directory_overrides_and_is_checked_at_load(tmp_path: Path) -> None:
    own = _template_with(tmp_path, "本机关自定义：{{ title }} {{ number }}")
    templates = NoticeTemplates(catalog(), allowed_fields, shipped_dir(), tmp_path)
    assert templates.templates["correction"].path == own
    assert templates.templates["fee"].path.parent == shipped_dir()
    _template_with(tmp_path, "{{ fee_amount }}", name="correction.docx")
    with pytest.raises(InvalidInput, match=r"correction\.docx: 第 1 段: 未知占位符 'fee_amount'"):
        NoticeTemplates(catalog(), allowed_fields, shipped_dir(), tmp_path).check_all()
    with pytest.raises(InvalidInput, match="fee_amount"):  # and before its first use
        NoticeTemplates(catalog(), allowed_fields, shipped_dir(), tmp_path).render("correction", {})


def test_an_agencys_directory_comes_before_the_installations(tmp_path: Path) -> None:
    """``template_dir/<agency>/<file>`` before ``template_dir/<file>`` before the shipped one;
    an upload (for the agency, then for all) before any file."""
    from govflow.workflow.notices.templates import Template

    office = _template_with(tmp_path, "本县：{{ title }}")
    (tmp_path / "edu").mkdir()
    edu = _template_with(tmp_path / "edu", "教育局：{{ title }}")
    templates = NoticeTemplates(catalog(), allowed_fields, shipped_dir(), tmp_path)
    assert templates.pick("correction", "edu").path == edu
    assert templates.pick("correction", "edu").label == "edu/correction.docx"
    assert templates.pick("correction", "county").path == office
    assert templates.pick("correction").path == office
    assert templates.pick("fee", "edu").path == shipped_dir() / "fee.docx"
    mine = Template("correction", "upload:2:ab", content=b"x")
    everyone = Template("correction", "upload:1:cd", content=b"y")
    uploads = {("edu", "correction"): mine, (None, "correction"): everyone}
    assert templates.pick("correction", "edu", uploads) is mine
    assert templates.pick("correction", "county", uploads) is everyone
    assert templates.check_all() == len(catalog().kinds) + 1 + 1  # edu's own checked too
    _template_with(tmp_path / "edu", "{{ fee_amount }}")
    with pytest.raises(InvalidInput, match=r"edu/correction\.docx: 第 1 段: 未知占位符"):
        NoticeTemplates(catalog(), allowed_fields, shipped_dir(), tmp_path).check_all()


def test_a_template_reaches_no_python_internals(tmp_path: Path) -> None:
    """Refused when checked; and rendering is sandboxed should one get past the check."""
    path = _template_with(tmp_path, "{{ title.__class__.__mro__ }}")
    with pytest.raises(InvalidInput, match="第 1 段: 不允许使用以 __ 开头的内部名称"):
        check_template(path, allowed_fields("correction"))
    templates = NoticeTemplates(catalog(), allowed_fields, shipped_dir(), tmp_path)
    templates._checked.add(str(path))  # as if it had passed
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        templates.render("correction", {"title": "x"})


def test_render_fills_the_values(tmp_path: Path) -> None:
    templates = NoticeTemplates(catalog(), allowed_fields, shipped_dir())
    values = {name: f"<{name}>" for name in allowed_fields("correction")}
    values["correction_items"] = "写明文件名称 & 文号"  # escaped, not broken XML
    content = templates.render("correction", values)
    (tmp_path / "out.docx").write_bytes(content)
    text = "\n".join(p.text for p in Document(str(tmp_path / "out.docx")).paragraphs)
    assert "写明文件名称 & 文号" in text and "<agency>" in text and "{{" not in text


def test_catalog_cites_every_outcome_and_refuses_gaps(tmp_path: Path) -> None:
    edition = catalog().edition(None)
    for code in outcomes():
        assert catalog().grounds[code], code
        assert edition.cite(list(catalog().grounds[code])).startswith("《")
    assert edition.articles["correction"] == "第三十条"
    assert edition.articles["fee"] == "第四十二条"
    assert edition.articles["excessive"] == "第三十五条"
    raw = yaml.safe_load(configs.shipped("notices", "notices.yaml").read_text("utf-8"))
    del raw["replies"]["withheld"]
    with pytest.raises(InvalidInput, match="withheld"):
        parse_catalog(raw, Path("notices.yaml"), list(outcomes()))


def test_generator_script_writes_every_shipped_template(tmp_path: Path, monkeypatch) -> None:
    """The committed .docx files come from tools/make_notice_templates.py: same set of files,
    same text in every paragraph."""
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("maker", root / "tools/make_notice_templates.py")
    assert spec and spec.loader
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    monkeypatch.setattr(maker, "OUT", tmp_path)
    maker.main()
    written = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert written == sorted(p.name for p in shipped_dir().glob("*.docx"))
    for name in written:
        fresh = [p.text for p in Document(str(tmp_path / name)).paragraphs]
        shipped = [p.text for p in Document(str(shipped_dir() / name)).paragraphs]
        assert fresh == shipped, name
    shutil.rmtree(tmp_path)
