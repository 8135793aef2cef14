"""``govflow agency add | list`` as an installation's operator uses them: an administrator
adds a town under the county, which then takes users and cases of its own (its reference
numbers its own prefix); bad input is exit 2 naming every faulty field with nothing
written; anyone else is exit 3; every addition is in the security log as ``cli:<OS user>``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli import copy_home
from tests.e2e.test_cli_users import ORG, OS_USER, Operator

TOWN = ("town", "示范镇人民政府", "--ref-prefix", "示镇", "--parent", "county")


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo organisation's installation, made once for the module."""
    home = tmp_path_factory.mktemp("office")
    Operator(home).ok("init", "--org", str(ORG))
    return home


@pytest.fixture
def op(initialised: Path, tmp_path: Path) -> Operator:
    """This test's own copy of it."""
    return Operator(copy_home(initialised, tmp_path))


def codes(op: Operator) -> list[str]:
    return [a["code"] for a in json.loads(op.ok("agency", "list", "--as", "admin", "--json"))]


def test_an_administrator_adds_a_town_that_then_works(op: Operator) -> None:
    out = op.ok("agency", "add", *TOWN, "--as", "admin")
    assert out.strip() == (  # the parent by name, its code beside it (issues 11, 12)
        "已新增机关 示范镇人民政府（town，文号前缀 示镇，上级机关 示范县人民政府办公室（county））。"
    )
    listing = op.ok("agency", "list", "--as", "admin")
    assert "  town  示范镇人民政府  文号前缀 示镇  账户 0" in listing.splitlines()
    village = json.loads(
        op.ok("agency", "add", "hill", "山村", "--ref-prefix", "示山", "--as", "admin", "--json")
    )
    assert village == {"code": "hill", "name": "山村", "ref_prefix": "示山", "parent": None}

    # The new agency is usable at once: a clerk of its own registers under its prefix.
    op.ok("user", "add", "tian.clerk", "--name", "田登记", "--role", "clerk",
          "--agency", "town", "--as", "admin")  # fmt: skip
    out = op.ok(
        "request", "register", "--as", "tian.clerk", "--channel", "in_person",
        "--applicant-kind", "natural_person", "--name", "张三",
        "--id-number", "610926199001011234", "--phone", "13800000000",
        "--description", "镇村道路建设资金",
    )  # fmt: skip
    assert re.search(r"示镇依申〔\d{4}〕0001号", out), out
    log = json.loads(op.ok("user", "security-log", "--as", "admin", "--json"))
    added = {(e["target"], e["actor"], e["channel"]) for e in log if e["action"] == "agency_added"}
    assert added == {("town", "admin", f"cli:{OS_USER}"), ("hill", "admin", f"cli:{OS_USER}")}


def test_bad_input_names_every_field_and_writes_nothing(op: Operator) -> None:
    before = codes(op)
    error = op.fails(
        2, "agency", "add", "Town!", " ", "--ref-prefix", "示政办", "--parent", "nowhere",
        "--as", "admin",
    )  # fmt: skip
    for part in ("代码只能用小写字母", "请填写机关名称", "该文号前缀已被其他机关使用",
                 "没有代码为 nowhere 的上级机关"):  # fmt: skip
        assert part in error, error
    assert "已有代码为 edu 的机关" in op.fails(
        2, "agency", "add", "edu", "另一个教育局", "--ref-prefix", "示另", "--as", "admin"
    )
    missing = op.run("agency", "add", "town", "示范镇人民政府", "--as", "admin")
    assert missing.returncode == 2 and "--ref-prefix" in missing.stderr
    assert codes(op) == before


def test_only_an_administrator_adds_or_lists(op: Operator) -> None:
    before = codes(op)
    for who in ("chen.supervisor", "zhang.head"):
        assert "不是系统管理员，不能管理机关" in op.fails(3, "agency", "add", *TOWN, "--as", who)
        assert "不是系统管理员" in op.fails(3, "agency", "list", "--as", who)
    assert "没有用户" in op.fails(4, "agency", "add", *TOWN, "--as", "nobody")
    assert codes(op) == before
