"""``govflow demo``: the quick start's first command plays every path and audits clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]


def govflow(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = cli_env()
    return subprocess.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**base, **env},
        cwd=cwd,
        timeout=120,
    )


def test_demo_plays_every_path_and_ends_with_a_clean_audit(tmp_path: Path) -> None:
    proc = govflow("demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    for path in ("当场答复", "补正", "征求", "延长", "缴费", "临时"):
        assert path in out, path
    # The story's turning points, with the dates the limits really move to.
    assert "答复期限自今天重新起算" in out and "届满 2025-11-06（星期四）24:00" in out
    assert (
        "中止计算（征求第三方意见，依据《条例》(2019) 第三十二条、第三十三条，期间不计入答复期限）"
        in out
    )
    assert "信息处理费：1700 元" in out
    # Escalations fire as simulated time passes: warnings, the system expiry, the 督办 ladder.
    assert "【预警】示政办依申〔2025〕0006号 答复期限还剩 5 个工作日 → 通知 赵经办" in out
    assert "系统处理：已执行系统动作 fee_expired" in out
    assert "【督办】示政办依申〔2025〕0006号 答复期限已超期 1 个工作日 → 通知 陈督查" in out
    assert out.count("supervisor_breach") == 3  # two daily repeats, then acknowledged
    assert "临时：2027年节假日安排尚未公布" in out and "不再是临时结果" in out
    # The night incident: raised to 重大 past its 5-hour mark, breached and escalated at once.
    incident = "示政办舆情〔2025〕0001号"
    assert "发布权威信息时限：已超期、尚未完成，期限 2025-11-21 星期五 03:40" in out
    assert f"2025-11-21 星期五 04:20 舆情一 【督办】{incident} 发布权威信息时限已超期" in out
    assert "召开新闻发布会时限：已按期完成" in out and "督办函报告时限" in out
    assert f"{incident}｜发布权威信息时限 届满 2025-11-21 03:40，超期 1.5 小时" in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[-1] == "审计：校验 8 件案件的哈希链，未发现篡改。"
    # It played on a temporary database: nothing left in the working directory.
    assert list(tmp_path.iterdir()) == []


def test_demo_keeps_its_database_on_request_and_it_verifies(tmp_path: Path) -> None:
    kept = tmp_path / "demo.db"
    proc = govflow("demo", "--keep", str(kept), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"演示数据库已保存到 {kept}" in proc.stdout
    files = tmp_path / "demo-files"  # the notices' files are kept beside it, and verified too
    assert f"GOVFLOW_FILES_DIR={files}" in proc.stdout
    audit = govflow(
        "audit", "verify", "--as", "chen.supervisor",
        cwd=tmp_path, GOVFLOW_DATABASE_URL=f"sqlite:///{kept}", GOVFLOW_FILES_DIR=str(files),
    )  # fmt: skip
    assert audit.returncode == 0, audit.stderr
    assert audit.stdout.strip() == "校验 8 件案件，历史记录完整，派生数据与事件一致，未发现篡改。"
    _the_demos_notices_read_back(kept, files)


def _the_demos_notices_read_back(kept: Path, files: Path) -> None:
    """Every notice the demo's cases issued, from its kept database and file store, opens
    in python-docx with its number in it and no placeholder left."""
    import io

    from docx import Document

    from govflow.app import build_services, open_engine
    from govflow.models.filestore import DirectoryStore
    from govflow.workflow.actors import SYSTEM
    from govflow.workflow.services import CaseFilter, list_cases, list_documents, read_document

    engine = open_engine(f"sqlite:///{kept}")
    svc = build_services(engine, files=DirectoryStore(files))
    page = list_cases(svc, SYSTEM, CaseFilter(case_type="disclosure_request", open_only=False))
    kinds = set()
    for summary in page.cases:
        for record in list_documents(svc, SYSTEM, summary.header.ref).versions:
            _, content = read_document(svc, SYSTEM, summary.header.ref, record.no, record.version)
            body = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
            assert record.number in body and "{{" not in body, (summary.header.ref, record.kind)
            kinds.add(record.kind)
    engine.dispose()
    assert {"receipt", "correction", "consultation_third_party", "fee", "extension"} <= kinds
