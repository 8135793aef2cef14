"""The file store on an S3-compatible object store (issue 13 item 6): notices and attachments
of an office configured with ``notices.file_store: s3`` go to the bucket, are read back from
it, and a swapped object is named by ``audit verify`` — run as a user runs govflow, against
an S3 server of the test's own (moto's, over HTTP on a free loopback port)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto.server import ThreadedMotoServer

from govflow.models.s3store import S3Store, StoreUnavailable
from govflow.workflow.documents.store import sha256_hex
from govflow.workflow.errors import InvalidInput, NotFound
from tests import cli_fork
from tests.backing import free_port
from tests.cli import cli_env

ROOT = Path(__file__).resolve().parents[2]
ORG = ROOT / "configs" / "demo_org.yaml"
REF = "示政办依申〔2025〕0001号"
KEY_ID, SECRET = "govflow-test", "S3SecretPlanted0"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )


@pytest.fixture
def bucket(endpoint: str, request: pytest.FixtureRequest) -> str:
    name = f"govflow-{request.node.name.replace('_', '-')[:40].lower()}"
    s3(endpoint).create_bucket(Bucket=name)
    return name


def test_the_store_keeps_bytes_under_their_hash(endpoint: str, bucket: str) -> None:
    store = S3Store(bucket, endpoint_url=endpoint, access_key_id=KEY_ID, secret_access_key=SECRET)
    content = "补正申请告知书".encode()
    digest = store.put(content)
    assert digest == sha256_hex(content) and store.exists(digest)
    assert store.put(content) == digest  # idempotent
    assert store.get(digest) == content
    keys = [o["Key"] for o in s3(endpoint).list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"govflow/{digest[:2]}/{digest}"]
    other = sha256_hex(b"never stored")
    assert not store.exists(other)
    with pytest.raises(NotFound, match="文件库中没有文件"):
        store.get(other)
    with pytest.raises(InvalidInput):
        store.get("../../etc/passwd")


def test_a_store_that_does_not_answer_is_named_without_its_secret() -> None:
    store = S3Store(
        "nowhere",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        access_key_id=KEY_ID,
        secret_access_key=SECRET,
    )
    with pytest.raises(StoreUnavailable) as refused:
        store.put(b"x")
    assert "文件库（S3：" in str(refused.value) and "不可用" in str(refused.value)
    assert SECRET not in str(refused.value)


def test_a_missing_bucket_is_unavailable_not_missing_files(endpoint: str) -> None:
    store = S3Store("no-such-bucket", endpoint_url=endpoint, access_key_id=KEY_ID,
                    secret_access_key=SECRET)  # fmt: skip
    with pytest.raises(StoreUnavailable, match="NoSuchBucket"):
        store.put(b"x")


def test_an_office_on_s3_issues_reads_back_and_verifies(
    endpoint: str, bucket: str, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text(
        yaml.safe_dump(
            {
                "notices": {
                    "file_store": "s3",
                    "s3_endpoint": endpoint,
                    "s3_bucket": bucket,
                    "s3_access_key_id": KEY_ID,
                }
            }
        ),
        encoding="utf-8",
    )
    env = cli_env(
        f"sqlite:///{tmp_path / 'govflow.db'}",
        GOVFLOW_SETTINGS=str(settings),
        GOVFLOW_S3_SECRET_ACCESS_KEY=SECRET,  # from the environment, like every secret
        GOVFLOW_NOW="2025-09-24T10:00",
        GOVFLOW_LOG_LEVEL="debug",
    )

    def govflow(*args: str) -> subprocess.CompletedProcess[str]:
        done = cli_fork.run(
            [sys.executable, "-m", "govflow", *args], capture_output=True, text=True,
            encoding="utf-8", env=env, cwd=tmp_path, timeout=120,
        )  # fmt: skip
        assert SECRET not in done.stdout + done.stderr
        return done

    assert govflow("init", "--org", str(ORG)).returncode == 0
    done = govflow(
        "request", "register", "--as", "wang.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三",
        "--id-number", "610926199001011234", "--phone", "13800000000",
        "--description", "2024年县级财政预算",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    objects = s3(endpoint).list_objects_v2(Bucket=bucket)["Contents"]
    assert len(objects) == 1  # the 登记回执, in the bucket
    assert not (tmp_path / "govflow-files").exists()  # and not in a directory
    out = tmp_path / "receipt.docx"
    done = govflow("case", "document", REF, "1", "--as", "wang.clerk", "--output", str(out))
    assert done.returncode == 0, done.stderr
    stored = s3(endpoint).get_object(Bucket=bucket, Key=objects[0]["Key"])["Body"].read()
    assert out.read_bytes() == stored
    assert govflow("audit", "verify", "--as", "chen.supervisor").returncode == 0

    s3(endpoint).put_object(Bucket=bucket, Key=objects[0]["Key"], Body=b"PK swapped")
    done = govflow("audit", "verify", "--as", "chen.supervisor")
    assert done.returncode == 1 and "文件内容被替换" in done.stdout, done.stdout + done.stderr


def test_an_s3_store_without_a_bucket_is_refused_at_start(tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("notices:\n  file_store: s3\n", encoding="utf-8")
    env = cli_env(f"sqlite:///{tmp_path / 'govflow.db'}", GOVFLOW_SETTINGS=str(settings))
    done = cli_fork.run(
        [sys.executable, "-m", "govflow", "init"], capture_output=True, text=True,
        encoding="utf-8", env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("错误：")
    assert "s3_bucket" in done.stderr and "Traceback" not in done.stderr
