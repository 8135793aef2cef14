"""Validation failures in the words a clerk reads (zh-CN), for every front end.

pydantic reports ``Input should be a valid date…``; people using govflow read Chinese. This
module turns pydantic's error list (and YAML's parse errors) into ``(where, message)`` pairs,
so the CLI, the HTTP API and the web pages say the same thing about the same mistake.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

_LIBYAML: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping gives the same key twice. PyYAML keeps the later value without a word; a
    file people edit by hand (the organisation, a calendar, the settings, a declaration, an
    action's input) must not lose the earlier one silently."""

    def __init__(self, key: Any, line: int, first: int, mark: yaml.Mark | None) -> None:
        super().__init__(problem=f"found duplicate key {key!r}", problem_mark=mark)
        self.key, self.line, self.first = key, line, first

    def __str__(self) -> str:
        return f'第 {self.line} 行：键 "{self.key}" 重复（第 {self.first} 行已有）'


class _UniqueKeys:
    """Refuses a key given twice in the same mapping (a mixin before the safe constructor).

    Checked on the mapping's own keys, before merges (``<<: *base``) are flattened in: a key
    that overrides a merged one is what a merge is for. Scalar keys only (a list or mapping
    as a key is refused as unhashable anyway). Each key is constructed here once and the
    constructor reuses it, so the check costs one small dictionary per mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node)  # type: ignore[attr-defined]
                line = key_node.start_mark.line + 1
                # Equal in Python is the same key of the dict (``1`` and ``true``): one is lost.
                if key in seen:
                    raise DuplicateKeyError(key, line, seen[key], key_node.start_mark)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class UniqueKeyLoader(_UniqueKeys, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, refusing a mapping's key given twice."""


class FastUniqueKeyLoader(_UniqueKeys, _LIBYAML):  # type: ignore[misc, valid-type]
    """The same, parsed by libyaml where PyYAML was built with it (``load_yaml``)."""


FAST_LOADER: type[yaml.SafeLoader] = FastUniqueKeyLoader
"""libyaml's parser where PyYAML was built with it, the same safe constructor; a key given
twice in a mapping is refused (``DuplicateKeyError``)."""

_FIXED = {
    "missing": "必填",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为是或否",
    "bool_parsing": "应为是或否（true / false）",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，不含时刻",
    "datetime_type": "时间格式应为 ISO 8601（如 2026-02-16T22:30:00+08:00）",
    "datetime_parsing": "时间格式应为 ISO 8601（如 2026-02-16T22:30:00+08:00）",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601（如 2026-02-16T22:30:00+08:00）",
    "time_parsing": "时刻格式应为 HH:MM",
    "extra_forbidden": "不是可用的字段",
    "json_invalid": "不是有效的 JSON",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "dict_type": "应为键值映射",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "url_parsing": "不是有效的网址",
    "url_scheme": "网址应以 http:// 或 https:// 开头",
    "uuid_parsing": "不是有效的编号",
    "string_pattern_mismatch": "格式不符",
    "frozen_instance": "不可修改",
}


def _message(err: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """The error in zh-CN; ``names``: the field's coded values by their Chinese names, so a
    wrong choice lists ``direct（未经复议直接起诉）`` rather than bare codes."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in _FIXED:
        return _FIXED[kind]
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"至少 {ctx.get('min_length')} 个字符"
    if kind in ("too_long", "too_short"):
        return "条目过多" if kind == "too_long" else "条目过少"
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    if kind == "less_than":
        return f"应小于 {ctx.get('lt')}"
    if kind in ("enum", "literal_error"):
        codes = re.findall(r"'([^']*)'", str(ctx.get("expected") or ""))
        if not codes:
            return "不是可选值之一"
        named = (f"{c}（{names[c]}）" if names and c in names else c for c in codes)
        return f"应为以下之一：{'、'.join(named)}"
    if kind in ("value_error", "assertion_error"):
        # Our own validators raise ValueError with a Chinese sentence: keep it.
        text = (
            str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        )
        return text or "取值无效"
    return "取值无效"


def zh_errors(
    errors: Iterable[Mapping[str, Any]],
    root: str = "输入",
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple[str, str]]:
    """``(where, message)`` for each pydantic error; ``where`` is the dotted field path;
    ``values``: each field's coded values by name (``Labels.values``)."""
    out: list[tuple[str, str]] = []
    for err in errors:
        where = ".".join(str(part) for part in err.get("loc", ())) or root
        out.append((where, _message(err, (values or {}).get(where))))
    return out


def field_messages(
    errors: Iterable[Mapping[str, Any]],
    root: str = "输入",
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, str]:
    """``{"applicant.name": "必填"}``: one message per field (several joined by ；)."""
    out: dict[str, str] = {}
    for where, text in zh_errors(errors, root, values):
        out[where] = f"{out[where]}；{text}" if where in out else text
    return out


def summary(errors: Iterable[Mapping[str, Any]], root: str = "输入") -> str:
    """One line: ``字段：说明；字段：说明``."""
    return "；".join(f"{where}：{text}" for where, text in zh_errors(errors, root))


def load_yaml(
    text: str,
    fast: type[yaml.SafeLoader] = FAST_LOADER,
    exact: type[yaml.SafeLoader] = UniqueKeyLoader,
) -> Any:
    """``yaml.load`` with a safe loader, parsed by libyaml (five times faster: every command
    reads some thirty shipped files at start-up). A text libyaml refuses is read again by
    the pure-Python ``exact`` loader, so an error says what PyYAML always said, where. A key
    given twice in a mapping is refused (``DuplicateKeyError``, a ``yaml.YAMLError``:
    ``yaml_problem`` names its line and key)."""
    try:
        return yaml.load(text, Loader=fast)
    except DuplicateKeyError:
        raise  # found by our constructor, not the parser: the place is already exact
    except yaml.YAMLError:
        return yaml.load(text, Loader=exact)


_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    # PyYAML's scanner and parser say what they expected in English; a clerk editing a file
    # needs the usual cause of each, most often an indentation that does not line up.
    (
        r"mapping values are not allowed",
        "此处不能出现“键: 值”（多半是缩进不对，或值里的冒号后缺空格、缺引号）",
    ),
    (r"could not find expected ':'", "找不到应有的冒号“:”（键后缺冒号，或上一行缩进不对）"),
    (r"found character '\\t' that cannot start any token", "含有制表符；YAML 只能用空格缩进"),
    (
        r"found character.*cannot start any token",
        "含有不能出现在此处的字符（如制表符：YAML 只能用空格缩进）",
    ),
    (r"found a tab character", "含有制表符；YAML 只能用空格缩进"),
    (r"expected <block end>, but found", "缩进不一致（同一层的键或列表项应对齐）"),
    (r"did not find expected key", "缩进不一致，或缺少键"),
    (r"did not find expected '-' indicator", "列表项缩进不一致（应以“- ”开头并对齐）"),
    (r"did not find expected node content", "缺少值"),
    (r"expected ',' or '\]'", "列表缺少“,”或未以“]”结束"),
    (r"expected ',' or '\}'", "映射缺少“,”或未以“}”结束"),
    (r"found unexpected end of stream", "文件意外结束（引号或括号没有闭合）"),
    (r"found undefined alias", "引用了未定义的锚点（*名称）"),
    (r"found duplicate anchor", "锚点（&名称）重复"),
    (r"found unknown escape character", "双引号内有无效的转义字符（\\ 后的字符）"),
    (r"expected a comment or a line break", "此处应为注释或换行"),
    (r"expected '<document start>'", "顶层结构有误（多出了内容）"),
    (r"found unhashable key", "键不能是列表或映射"),
)


def _yaml_words(problem: str | None) -> str:
    for pattern, words in _YAML_PROBLEMS:
        if problem and re.search(pattern, problem):
            return "：" + words
    return ""  # a problem not listed: the place alone, never the parser's English


def yaml_problem(exc: Exception) -> str:
    """Where a YAML file is malformed and why, in one zh-CN line: ``第 3 行第 14 列：…``;
    a key given twice: ``第 5 行：键 "name" 重复（第 2 行已有）``."""
    if isinstance(exc, DuplicateKeyError):
        return str(exc)
    mark = getattr(exc, "problem_mark", None)
    problem = _yaml_words(getattr(exc, "problem", None))
    if mark is None:
        return f"YAML 格式有误{problem}"
    return f"第 {mark.line + 1} 行第 {mark.column + 1} 列：YAML 格式有误{problem}"


def file_problem(exc: OSError, verb: str = "读取") -> str:
    """Why a file could not be read (or, ``verb="写入"``, written), in zh-CN: the operating
    system says it in English (``No such file or directory``)."""
    if isinstance(exc, FileNotFoundError):
        return "文件不存在" if verb == "读取" else "文件所在的目录不存在"
    if isinstance(exc, IsADirectoryError):
        return "这是目录，不是文件"
    if isinstance(exc, PermissionError):
        return f"无权{verb}（请检查文件的权限）"
    if exc.errno == errno.ENOSPC:
        return "磁盘已满"
    if exc.errno == errno.EROFS:
        return "文件系统只读"
    if exc.errno == errno.ENOTDIR:
        return "路径中有一段不是目录"
    if exc.errno == errno.ELOOP:
        return "符号链接层数过多"
    if exc.errno == errno.ENAMETOOLONG:
        return "文件名过长"
    code = errno.errorcode.get(exc.errno or 0)
    return f"操作系统报错（{code}）" if code else "操作系统报错"
