"""Write the shipped notice templates (``configs/notices/templates/*.docx``) with python-docx.

Run ``python tools/make_notice_templates.py`` after editing the wording below, review the
.docx files in Word or WPS, and commit both. An office changes its own wording by copying a
template into its template directory (``notices.template_dir``) and editing it there.

Layout after 《党政机关公文格式》(GB/T 9704-2012): A4, margins 37/35/28/26 mm, title in
2号 方正小标宋简体 centred, body in 3号 仿宋_GB2312 with a two-character first-line indent
and a fixed 28.95 pt line pitch (22 lines of 28 characters a page), the number (文号)
centred under the title, agency and date right-aligned at the end, a page number in the
footer. The fonts are named for the East Asian script (w:eastAsia), which is what Word and
WPS use for Chinese text; a machine without them substitutes its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parents[1] / "configs" / "notices" / "templates"

TITLE_FONT, BODY_FONT, HEI = "方正小标宋简体", "仿宋_GB2312", "黑体"
TITLE_SIZE, BODY_SIZE = Pt(22), Pt(16)  # 2号, 3号

OPENING = (
    "本机关于{{ received_date }}收到您（单位）提出的政府信息公开申请"
    "（申请编号：{{ ref }}），所需信息为：{{ request }}。"
)
REPLY_OPENING = OPENING + "经审查，现答复如下："
REMEDIES = "{{ remedies }}"

# kind → paragraphs after the title and number: (style, text). Styles: to (the addressee,
# flush left), body (indented), if/endif (a paragraph kept only when the value is present).
TEXTS: dict[str, list[tuple[str, str]]] = {
    "receipt": [
        ("to", "{{ recipient }}："),
        (
            "body",
            "本机关于{{ received_date }}收到您（单位）通过{{ channel }}方式提交的政府信息公开申请"
            "（申请编号：{{ ref }}），所需信息为：{{ request }}。",
        ),
        (
            "body",
            "依据{{ basis }}，本机关将自收到申请之日起{{ reply_days }}个工作日内"
            "（即{{ reply_due }}前）作出答复；需要延长答复期限的，将另行书面告知。"
            "申请内容需要补正的，答复期限自本机关收到补正后的申请之日起计算；"
            "征求第三方或者其他机关意见所需时间不计算在答复期限内。",
        ),
        ("body", "特此回执。"),
    ],
    "correction": [
        ("to", "{{ recipient }}："),
        ("body", OPENING),
        (
            "body",
            "经审查，您（单位）的申请内容不够明确。依据{{ basis }}，现一次性告知您（单位）"
            "需要补正的事项：{{ correction_items }}",
        ),
        (
            "body",
            "请您（单位）于{{ correction_days }}个工作日内（即{{ correction_due }}前）"
            "向本机关提交补正后的申请，答复期限自本机关收到补正后的申请之日起计算。"
            "无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        ),
    ],
    "extension": [
        ("to", "{{ recipient }}："),
        ("body", OPENING),
        (
            "body",
            "因{{ extension_reason }}，本机关不能在{{ reply_days }}个工作日内"
            "（即{{ original_due }}前）作出答复。经政府信息公开工作机构负责人同意，"
            "依据{{ basis }}，答复期限延长{{ extension_days }}个工作日，"
            "本机关将于{{ extended_due }}前作出答复。",
        ),
        ("body", "特此告知。"),
    ],
    "consultation_third_party": [
        ("to", "{{ recipient }}："),
        (
            "body",
            "本机关于{{ received_date }}收到政府信息公开申请（申请编号：{{ ref }}），"
            "申请公开：{{ request }}。经审查，公开该信息可能损害您（单位）的合法权益。"
            "依据{{ basis }}，现书面征求您（单位）的意见。",
        ),
        (
            "body",
            "请您（单位）{{ party_window }}提出是否同意公开的意见；不同意公开的，请说明理由。"
            "逾期未提出意见的，由本机关依照《中华人民共和国政府信息公开条例》的规定决定是否公开。",
        ),
        ("if", "note"),
        ("body", "说明：{{ note }}"),
        ("endif", ""),
    ],
    "consultation_agency": [
        ("to", "{{ recipient }}："),
        (
            "body",
            "本机关于{{ received_date }}收到政府信息公开申请（申请编号：{{ ref }}），"
            "申请公开：{{ request }}。该信息由本机关与贵机关共同制作，依据{{ basis }}，"
            "现征求贵机关意见。",
        ),
        ("body", "请贵机关{{ party_window }}提出意见；逾期未提出意见的，视为同意公开。"),
        ("if", "note"),
        ("body", "说明：{{ note }}"),
        ("endif", ""),
    ],
    "consultation_applicant": [
        ("to", "{{ recipient }}："),
        ("body", OPENING),
        (
            "body",
            "因该信息的公开涉及{{ party_kind }}，依据{{ basis }}，本机关已书面征求其意见"
            "（自其收到征求意见之日起{{ party_days }}个工作日内答复）。"
            "征求意见所需时间不计算在答复期限内，特此告知。",
        ),
    ],
    "third_party_decision": [
        ("to", "{{ recipient }}："),
        (
            "body",
            "本机关就政府信息公开申请（申请编号：{{ ref }}）所涉信息（{{ request }}）"
            "书面征求了您（单位）的意见。经审查，本机关认为不公开可能对公共利益造成重大影响，"
            "依据{{ basis }}，决定予以公开（{{ outcome }}）。",
        ),
        ("body", "决定公开的内容和理由：{{ reply_content }}"),
        ("body", REMEDIES),
    ],
    "fee": [
        ("to", "{{ recipient }}："),
        ("body", OPENING),
        ("body", "因{{ fee_reason }}，依据{{ basis }}，本机关决定收取信息处理费。"),
        ("body", "计收方式：{{ fee_basis }}。"),
        ("body", "应缴金额：人民币{{ fee_capitals }}（¥{{ fee_amount }}）。"),
        (
            "body",
            "请您（单位）{{ payment_window }}缴纳。逾期未缴纳的，视为放弃申请，"
            "本机关不再处理该政府信息公开申请。",
        ),
    ],
    "reasons": [
        ("to", "{{ recipient }}："),
        (
            "body",
            OPENING + "您（单位）本月已提出政府信息公开申请{{ month_count }}件，"
            "本年度已提出{{ year_count }}件。",
        ),
        (
            "body",
            "经审查，{{ reasons_reason }}。依据{{ basis }}，请您（单位）自收到本告知书之日起"
            "{{ reasons_days }}个工作日内说明理由。本机关认为申请理由不合理的，将告知不予处理；"
            "认为申请理由合理但无法在法定期限内答复的，将确定延迟答复的合理期限并告知您（单位）。",
        ),
    ],
    "reply_disclosed": [
        ("to", "{{ recipient }}："),
        ("body", REPLY_OPENING),
        (
            "body",
            "您（单位）申请获取的政府信息，本机关予以公开（{{ outcome }}）。{{ reply_content }}",
        ),
        ("body", "依据{{ ground }}，特此答复。"),
        ("body", REMEDIES),
    ],
    "reply_partially_disclosed": [
        ("to", "{{ recipient }}："),
        ("body", REPLY_OPENING),
        (
            "body",
            "您（单位）申请获取的信息中含有不应当公开或者不属于政府信息的内容，本机关作区分处理后，"
            "向您（单位）提供可以公开的部分（{{ outcome }}）。{{ reply_content }}",
        ),
        ("body", "依据{{ ground }}，特此答复。"),
        ("body", REMEDIES),
    ],
    "reply_withheld": [
        ("to", "{{ recipient }}："),
        ("body", REPLY_OPENING),
        (
            "body",
            "您（单位）申请获取的信息，本机关决定不予公开（{{ outcome }}）。理由：{{ reply_content }}",
        ),
        ("body", "依据{{ ground }}，特此答复。"),
        ("body", REMEDIES),
    ],
    "reply_unavailable": [
        ("to", "{{ recipient }}："),
        ("body", REPLY_OPENING),
        (
            "body",
            "本机关无法提供您（单位）申请获取的信息（{{ outcome }}）。理由：{{ reply_content }}",
        ),
        ("body", "依据{{ ground }}，特此答复。"),
        ("body", REMEDIES),
    ],
    "reply_not_processed": [
        ("to", "{{ recipient }}："),
        ("body", REPLY_OPENING),
        ("body", "本机关对您（单位）的申请不予处理（{{ outcome }}）。理由：{{ reply_content }}"),
        ("body", "依据{{ ground }}，特此答复。"),
        ("body", REMEDIES),
    ],
    "reply_other": [
        ("to", "{{ recipient }}："),
        ("body", REPLY_OPENING),
        ("body", "{{ reply_content }}（{{ outcome }}）"),
        ("body", "依据{{ ground }}，特此答复。"),
        ("body", REMEDIES),
    ],
}

COVER_ROWS = [
    ("案卷编号", "{{ ref }}"),
    ("办理机关", "{{ agency }}"),
    ("申请人", "{{ applicant }}"),
    ("申请人类别", "{{ applicant_kind }}"),
    ("申请内容", "{{ request }}"),
    ("收到申请日期", "{{ received_date }}"),
    ("答复类型", "{{ outcome }}"),
    ("答复日期", "{{ reply_date }}"),
    ("终结日期", "{{ closed_date }}"),
    ("经办人", "{{ handler }}"),
    ("案件状态", "{{ state }}"),
    ("文书及附件", "{{ documents }}"),
    ("历史记录", "{{ events }} 条，链头哈希 {{ head_hash }}"),
    ("归档日期", "{{ archive_date }}"),
]


def _font(run_or_style, name: str, size: Pt, bold: bool = False) -> None:
    """Name the font for Latin and East Asian text alike (python-docx sets only w:ascii)."""
    font = run_or_style.font
    font.name, font.size, font.bold = name, size, bold
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _page_number(paragraph) -> None:
    """— PAGE — in the footer, as a field Word and WPS fill in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), tag)
            run._r.append(field)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    paragraph.add_run(" —")
    for r in paragraph.runs:
        _font(r, "宋体", Pt(14))


def new_document() -> Document:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    _font(normal, BODY_FONT, BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28.95)
    fmt.space_before = fmt.space_after = Pt(0)
    _page_number(section.footer.paragraphs[0])
    return document


def _title(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(14)
    paragraph.paragraph_format.line_spacing = Pt(40)
    _font(paragraph.add_run(text), TITLE_FONT, TITLE_SIZE)


def _paragraph(document, text: str, *, indent: bool = True, align=None):
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 3号
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)
    return paragraph


def _signature(document) -> None:
    document.add_paragraph()
    for text in ("{{ agency }}", "{{ seal }}", "{{ issue_date }}"):
        paragraph = _paragraph(document, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = Pt(64)  # 右空四字 (GB/T 9704 7.3.5)


def notice(kind: str) -> Document:
    document = new_document()
    _title(document, "{{ title }}")
    _paragraph(document, "{{ number }}", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    document.add_paragraph()
    for style, text in TEXTS[kind]:
        if style == "if":
            _paragraph(document, f"{{%p if {text} %}}", indent=False)
        elif style == "endif":
            _paragraph(document, "{%p endif %}", indent=False)
        else:
            _paragraph(document, text, indent=style == "body")
    _signature(document)
    return document


def cover() -> Document:
    document = new_document()
    _title(document, "政府信息公开申请案卷")
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in COVER_ROWS:
        cells = table.add_row().cells
        for cell, text, font in ((cells[0], label, HEI), (cells[1], value, BODY_FONT)):
            cell.paragraphs[0].paragraph_format.first_line_indent = Pt(0)
            _font(cell.paragraphs[0].add_run(text), font, BODY_SIZE)
        cells[0].width, cells[1].width = Mm(40), Mm(116)
    return document


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for kind in TEXTS:
        notice(kind).save(OUT / f"{kind}.docx")
    cover().save(OUT / "case_file_cover.docx")
    print(f"wrote {len(TEXTS) + 1} templates to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
