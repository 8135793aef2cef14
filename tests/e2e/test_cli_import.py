"""``govflow import requests`` as an office head uses it: the template, a CSV saved by a Chinese
Excel (GB18030), the listing of what was imported and what disagrees with the law, a second
run that creates nothing, and a bad file that writes nothing and names every problem. One
office serves the module (each call is a process); the import's rules are tested in depth
on both databases in tests/integration/test_import.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from govflow.workflow.imports.columns import COLUMNS
from tests.e2e.test_cli_workflow import Office, _office

HEADERS = ["收到申请之日", "提交方式", "申请人类型", "申请人姓名或名称", "证件号码", "联系电话",
           "申请内容", "答复类型", "答复日期", "备注"]  # fmt: skip
ROWS = [
    ["2025/3/5", "当面提交", "自然人", "张三", "610926199001011234", "13800000000", "2024年预算",
     "予以公开", "2025-03-20", "已归档"],
    ["2018年3月1日", "邮寄（需签收）", "自然人", "李四", "610926199001011235", "13800000001",
     "征地补偿方案", "不予公开/属于国家秘密", "2018-03-28", ""],
]  # fmt: skip


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    office = _office(tmp_path_factory.mktemp("import"))
    office.now = "2025-12-31T10:00"
    return office


def write_csv(path: Path, rows: list[list[str]], encoding: str = "gb18030") -> None:
    text = "\r\n".join(",".join(r) for r in [HEADERS, *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))


def test_the_template_has_every_column_and_its_notes(office: Office, tmp_path: Path) -> None:
    out = office.ok(
        "import", "requests", str(tmp_path / "模板.xlsx"), "--as", "zhang.head", "--template"
    )
    assert "已写出模板" in out
    book = load_workbook(tmp_path / "模板.xlsx")
    assert [c.value for c in book.worksheets[0][1]] == [c.header for c in COLUMNS]
    notes = {row[0]: row for row in book["填写说明"].iter_rows(min_row=2, values_only=True) if row}
    assert notes["收到申请之日"][1] == "必填"
    assert "自然人" in notes["申请人类型"][3]


def test_import_a_csv_then_again_and_read_the_cases(office: Office, tmp_path: Path) -> None:
    ledger = tmp_path / "台账.csv"
    write_csv(ledger, ROWS)
    out = office.ok("import", "requests", str(ledger), "--as", "zhang.head")
    assert "已导入 2 件（2018 年 1 件，2025 年 1 件" in out
    assert "已忽略不认识的列：备注" in out
    assert (
        "第 3 行【答复日期】答复日期 2018-03-28 晚于答复期限 2018-03-22（依据《条例》(2008) 第二十四条）"
        in out
    )
    shown = office.ok("case", "show", "示政办依申〔2018〕0001号", "--as", "zhang.head")
    assert "审批并答复（导入）" in shown
    again = json.loads(office.ok("import", "requests", str(ledger), "--as", "zhang.head", "--json"))
    assert again["created"] == []
    assert [ref for _, ref in again["skipped"]] == [
        "示政办依申〔2025〕0001号",
        "示政办依申〔2018〕0001号",
    ]


def test_a_bad_file_lists_every_problem_and_writes_nothing(office: Office, tmp_path: Path) -> None:
    ledger = tmp_path / "台账.csv"
    bad = [
        [*ROWS[0][:4], "X", *ROWS[0][5:]],
        ["2025-02-30", *ROWS[1][1:7], "已办结", "2026-01-05", ""],
    ]
    write_csv(ledger, bad, "utf-8-sig")
    proc = office.run("import", "requests", str(ledger), "--as", "zhang.head")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert "第 2 行【证件号码】格式不符" in lines
    assert any(line.startswith("第 3 行【收到申请之日】不是有效日期") for line in lines)
    assert any(line.startswith("第 3 行【答复类型】无法识别的答复类型 '已办结'") for line in lines)
    assert "第 3 行【答复日期】2026-01-05 晚于今天 2025-12-31" in lines
    assert lines[-1] == "错误：台账.csv 有 4 处问题（见上），未导入任何数据"
    assert "Traceback" not in proc.stderr
    refused = office.fails(3, "import", "requests", str(ledger), "--as", "li.handler")
    assert "须由公开办负责人操作" in refused
