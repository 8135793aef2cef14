"""``govflow audit checkpoint`` and ``checkpoint-check`` as real processes on a SQLite file
(SPEC A-2): the supervisor exports the heads, keeps the digest, and later finds the cut
that ``audit verify`` cannot see; an edited file is refused. (Bad input, every attack and
both databases: ``tests/integration/test_checkpoints.py``.)"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests import cli_fork
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
FIRST, SECOND = "示政办依申〔2025〕0001号", "示政办依申〔2025〕0002号"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(f"sqlite:///{home / 'govflow.db'}", GOVFLOW_NOW="2025-09-24T18:00")
    return cli_fork.run(
        [sys.executable, "-m", "govflow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=home,
        timeout=60,
    )


def ok(home: Path, *args: str) -> str:
    done = run(home, *args)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def register(home: Path, description: str) -> None:
    ok(
        home, "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三",
        "--id-number", "610926199001011234", "--phone", "13800000000",
        "--description", description,
    )  # fmt: skip


def cut_last_event_and_roll_back(db: Path, ref: str) -> None:
    """Delete the case's last event and set the case row's head to the one before."""
    with sqlite3.connect(db) as conn:
        case_id, head = conn.execute(
            "SELECT id, head_seq FROM cases WHERE ref = ?", (ref,)
        ).fetchone()
        (before,) = conn.execute(
            "SELECT hash FROM events WHERE case_id = ? AND seq = ?", (case_id, head - 1)
        ).fetchone()
        conn.execute("DELETE FROM events WHERE case_id = ? AND seq = ?", (case_id, head))
        conn.execute(
            "UPDATE cases SET head_seq = ?, head_hash = ? WHERE id = ?", (head - 1, before, case_id)
        )


def test_checkpoint_then_check_finds_what_verify_cannot(tmp_path: Path) -> None:
    ok(tmp_path, "init", "--org", str(ORG))
    register(tmp_path, "2024年县级财政预算执行情况")
    register(tmp_path, "2024年政府采购目录")
    ok(tmp_path, "case", "act", FIRST, "start_review", "--as", "li.handler")

    out = ok(tmp_path, "audit", "checkpoint", "--output", "cp.jsonl.gz", "--as", "chen.supervisor")
    lines = out.splitlines()
    assert lines[0] == "已导出检查点：cp.jsonl.gz"
    assert lines[1] == "范围：全部案件；案件数：2；导出时间：2025-09-24 18:00:00（北京时间）"
    digest = lines[2].removeprefix("摘要（SHA-256）：")
    assert len(digest) == 64 and "另行保存" not in lines[2] and "分开保管" in out
    with gzip.open(tmp_path / "cp.jsonl.gz", "rt", encoding="utf-8") as f:
        records = [json.loads(x) for x in f]
    assert [r.get("ref") for r in records[1:-1]] == [FIRST, SECOND]
    assert (records[1]["head_seq"], records[-1]["digest"]) == (3, digest)
    assert records[-1]["key_id"] == "ktest" and len(records[-1]["mac"]) == 64

    sup = ("--as", "chen.supervisor")
    clean = ok(tmp_path, "audit", "checkpoint-check", "cp.jsonl.gz", *sup, "--digest", digest)
    assert clean.splitlines()[-1].startswith("核对检查点中的 2 件案件，均与数据库一致")
    # With the chain key the file proves itself: no digest kept on paper is needed.
    keyed = run(tmp_path, "audit", "checkpoint-check", "cp.jsonl.gz", *sup)
    assert keyed.returncode == 0 and "文件的 MAC 与本机链密钥相符" in keyed.stdout, keyed.stdout
    assert "未给出另行保存的摘要" not in keyed.stderr

    # A file rewritten by someone without the key, its digest recomputed: the MAC betrays it.
    forged = tmp_path / "forged.jsonl"
    lines_ = gzip.decompress((tmp_path / "cp.jsonl.gz").read_bytes()).decode().splitlines()
    body = [lines_[0], lines_[1].replace('"head_seq":3', '"head_seq":2'), lines_[2]]
    new_digest = hashlib.sha256("".join(x + "\n" for x in body).encode()).hexdigest()
    trailer = {**json.loads(lines_[-1]), "digest": new_digest}
    forged.write_text("\n".join([*body, json.dumps(trailer)]) + "\n", "utf-8")
    refused = run(tmp_path, "audit", "checkpoint-check", str(forged), *sup)
    assert refused.returncode == 1 and "MAC 与本机链密钥不符" in refused.stderr, refused.stderr

    cut_last_event_and_roll_back(tmp_path / "govflow.db", FIRST)
    # The chain left is whole, but the case row's state no longer matches its events.
    verified = run(tmp_path, "audit", "verify", *sup)
    assert verified.returncode == 1 and "[派生数据与事件不符]（cases.state）" in verified.stdout
    caught = run(tmp_path, "audit", "checkpoint-check", "cp.jsonl.gz", *sup, "--digest", digest)
    assert caught.returncode == 1, caught.stderr
    assert caught.stdout.splitlines()[1].startswith(f"{FIRST} 位置 3：[末尾事件被删除]")
    assert caught.stdout.splitlines()[-1] == "核对检查点中的 2 件案件，发现 1 处问题。"
    assert SECOND not in caught.stdout

    # The file edited to match the cut database: its digest no longer matches.
    edited = tmp_path / "edited.jsonl"
    text = gzip.decompress((tmp_path / "cp.jsonl.gz").read_bytes()).decode()
    edited.write_text(text.replace('"head_seq":3', '"head_seq":2', 1), "utf-8")
    refused = run(tmp_path, "audit", "checkpoint-check", str(edited), *sup)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith(f"错误：{edited}: 检查点文件不可信")
