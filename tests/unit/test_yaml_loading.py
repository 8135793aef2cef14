"""Every command reads some thirty YAML files at start-up through ``load_yaml``: parsed by
libyaml for speed, yet the same data and, for a malformed file, PyYAML's own error; and a
key given twice in a mapping, which PyYAML would let the later value win silently, is
refused naming its line and key, in every file people edit (issues 11, 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govflow import configs
from govflow.configuration import load_settings
from govflow.models.org import read_org_file
from govflow.workflow.calendar.schedule import CalendarError, parse_year_text
from govflow.workflow.declaration import DeclarationError, read_declaration
from govflow.workflow.errors import ConfigurationError, InvalidInput
from govflow.workflow.validation import (
    FAST_LOADER,
    DuplicateKeyError,
    UniqueKeyLoader,
    load_yaml,
    yaml_problem,
)


def test_the_shipped_files_read_the_same_as_with_pyyaml() -> None:
    files = sorted(configs.shipped("").rglob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text("utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path


@pytest.mark.parametrize("text", ["a: 1\n  b: 2\n", "a: [1, 2\n", "规则: {名称: 1\n"])
def test_a_malformed_file_fails_with_pyyamls_words_and_place(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as got:
        load_yaml(text)
    assert str(got.value) == str(expected.value)
    assert FAST_LOADER is not yaml.SafeLoader or not yaml.__with_libyaml__


# -- a key given twice ---------------------------------------------------------------------------

LOADERS = [UniqueKeyLoader, FAST_LOADER]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("text", "key", "line", "first"),
    [
        ("name: 甲\nlabel: 乙\nname: 丙\n", "name", 3, 1),
        ("states:\n  open:\n    label: 开\n    label: 关\n", "label", 4, 3),  # nested
        ("- {date: 2030-01-01, name: 元旦, name: 新年}\n", "name", 1, 1),  # a flow mapping
        ("days: 10\n? days\n: 12\n", "days", 2, 1),  # an explicit key
        ("1: 甲\n'1': 乙\n1: 丙\n", 1, 3, 1),  # a number and its text are two keys
    ],
)
def test_a_key_given_twice_is_refused_with_its_line(
    loader: type[yaml.SafeLoader], text: str, key: object, line: int, first: int
) -> None:
    with pytest.raises(DuplicateKeyError) as refused:
        yaml.load(text, Loader=loader)
    assert (refused.value.key, refused.value.line, refused.value.first) == (key, line, first)
    assert yaml_problem(refused.value) == f'第 {line} 行：键 "{key}" 重复（第 {first} 行已有）'
    assert isinstance(refused.value, yaml.YAMLError)  # callers that name the file catch it


def test_load_yaml_refuses_it_in_both_of_its_parsers() -> None:
    with pytest.raises(DuplicateKeyError, match=r'第 2 行：键 "a" 重复'):
        load_yaml("a: 1\na: 2\n")
    with pytest.raises(DuplicateKeyError):  # libyaml's refusal read again by the exact parser
        load_yaml("a: 1\na: 2\n", fast=UniqueKeyLoader)


@pytest.mark.parametrize("loader", LOADERS)
def test_the_same_key_in_different_mappings_and_a_merge_override_are_fine(
    loader: type[yaml.SafeLoader],
) -> None:
    text = (
        "base: &base {name: 甲, days: 10}\n"
        "one:\n  <<: *base\n  name: 乙\n"  # overriding a merged key is what a merge is for
        "two: {name: 丙}\n"
    )
    assert yaml.load(text, Loader=loader) == {
        "base": {"name": "甲", "days": 10},
        "one": {"name": "乙", "days": 10},
        "two": {"name": "丙"},
    }


def test_the_files_people_edit_refuse_a_key_given_twice(tmp_path: Path) -> None:
    """The organisation, a calendar, the settings and a case-type declaration: each names
    the file, the line and the key."""
    org = tmp_path / "org.yaml"
    org.write_text("agencies: []\nusers: []\nusers: []\n", "utf-8")
    with pytest.raises(InvalidInput) as refused:
        read_org_file(org)
    assert str(refused.value) == f'{org}: 第 3 行：键 "users" 重复（第 2 行已有）'

    with pytest.raises(CalendarError) as wrong:
        parse_year_text("year: 2030\nclosures: []\nyear: 2031\n", "2030.yaml", "2030")
    assert str(wrong.value) == '2030.yaml: 第 3 行：键 "year" 重复（第 1 行已有）'

    settings = tmp_path / "local.yaml"
    settings.write_text("disclosure:\n  fees: false\n  fees: true\n", "utf-8")
    with pytest.raises(ConfigurationError) as bad:
        load_settings({"GOVFLOW_SETTINGS": str(settings)})
    assert str(settings) in str(bad.value)
    assert str(bad.value).endswith('第 3 行：键 "fees" 重复（第 2 行已有）')

    declared = tmp_path / "memo.yaml"
    declared.write_text("name: memo\nlabel: 备忘\nlabel: 便笺\n", "utf-8")
    with pytest.raises(DeclarationError, match=r"第 3 行: 名称重复 'label'（第 2 行已有同名项）"):
        read_declaration(declared)
