"""What YAML's parser and the operating system say in English, in the words a clerk reads:
a malformed file's place and usual cause, a file that cannot be read and why."""

from __future__ import annotations

import errno

import pytest
import yaml

from govflow.workflow.validation import file_problem, yaml_problem

LIBYAML = getattr(yaml, "CSafeLoader", None)


def _problem(text: str, loader: type) -> str:
    with pytest.raises(yaml.YAMLError) as caught:
        yaml.load(text, Loader=loader)
    return yaml_problem(caught.value)


@pytest.mark.parametrize("loader", [yaml.SafeLoader, LIBYAML] if LIBYAML else [yaml.SafeLoader])
@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a: 1\n b: 2\n", "第 2 行第 3 列：YAML 格式有误：此处不能出现“键: 值”"),
        ("a: 1\nb\nc: 2\n", "第 3 行第 1 列：YAML 格式有误：找不到应有的冒号“:”"),
        ("a:\n\t- 1\n", "第 2 行第 1 列：YAML 格式有误：含有"),
        ("a: 'x\n", "第 2 行第 1 列：YAML 格式有误：文件意外结束（引号或括号没有闭合）"),
        ("a: [1, 2\nb: 3\n", "YAML 格式有误：列表缺少“,”或未以“]”结束"),
        ("a: *x\n", "第 1 行第 4 列：YAML 格式有误：引用了未定义的锚点"),
    ],
)
def test_a_yaml_problem_is_said_in_chinese(text: str, says: str, loader: type) -> None:
    said = _problem(text, loader)
    assert said.startswith(says) or says in said, said
    assert not any("a" <= ch <= "z" for ch in said.replace("YAML", "")), said


def test_a_problem_not_listed_gives_the_place_alone() -> None:
    error = yaml.MarkedYAMLError(problem="something new in PyYAML 9")
    assert yaml_problem(error) == "YAML 格式有误"


@pytest.mark.parametrize(
    ("error", "verb", "says"),
    [
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), "读取", "文件不存在"),
        (IsADirectoryError(errno.EISDIR, "Is a directory"), "读取", "这是目录，不是文件"),
        (
            PermissionError(errno.EACCES, "Permission denied"),
            "读取",
            "无权读取（请检查文件的权限）",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied"),
            "写入",
            "无权写入（请检查文件的权限）",
        ),
        (FileNotFoundError(errno.ENOENT, "No such file"), "写入", "文件所在的目录不存在"),
        (OSError(errno.ENOSPC, "No space left on device"), "写入", "磁盘已满"),
        (OSError(errno.EIO, "Input/output error"), "读取", "操作系统报错（EIO）"),
    ],
)
def test_a_file_problem_is_said_in_chinese(error: OSError, verb: str, says: str) -> None:
    assert file_problem(error, verb) == says
