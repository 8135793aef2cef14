"""A new agency (机关) as an administrator enters it: what makes it acceptable.

The same rules as the organisation file's (``govflow init --org``): a code of lower-case
letters, digits, ``_`` and ``-``; a reference-number prefix of its own, because every
case number of the agency starts with it (``示政办依申〔2025〕0001号``) and two agencies
sharing one would issue the same numbers; a parent that exists. Checked here, without
storage, so the form shows each problem beside its field and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from govflow.workflow.actors import Agency
from govflow.workflow.errors import InvalidInput

CODE = re.compile(r"^[a-z0-9_-]{1,64}$")
NAME_MAX = 200
PREFIX_MAX = 32


@dataclass(frozen=True)
class NewAgency:
    code: str
    name: str
    ref_prefix: str
    parent: str | None = None  # the code of the agency above; None for a top agency


def checked(new: NewAgency, existing: Sequence[Agency]) -> NewAgency:
    """``new`` with surrounding blanks removed, or ``InvalidInput`` naming every faulty
    field (in zh-CN)."""
    agency = NewAgency(
        code=new.code.strip(),
        name=new.name.strip(),
        ref_prefix=new.ref_prefix.strip(),
        parent=(new.parent or "").strip() or None,
    )
    problems: dict[str, str] = {}
    if not CODE.match(agency.code):
        problems["code"] = "代码只能用小写字母、数字、_ 和 -，至多 64 个字符"
    elif any(a.code == agency.code for a in existing):
        problems["code"] = f"已有代码为 {agency.code} 的机关"
    if not agency.name:
        problems["name"] = "请填写机关名称"
    elif len(agency.name) > NAME_MAX:
        problems["name"] = f"机关名称至多 {NAME_MAX} 个字"
    elif any(a.name == agency.name for a in existing):
        problems["name"] = f"已有名为 {agency.name} 的机关"
    if not agency.ref_prefix:
        problems["ref_prefix"] = "请填写文号前缀（本机关案件编号的开头）"
    elif len(agency.ref_prefix) > PREFIX_MAX:
        problems["ref_prefix"] = f"文号前缀至多 {PREFIX_MAX} 个字"
    elif any(a.ref_prefix == agency.ref_prefix for a in existing):
        problems["ref_prefix"] = "该文号前缀已被其他机关使用：案件编号会重复"
    if agency.parent is not None and not any(a.code == agency.parent for a in existing):
        problems["parent"] = f"没有代码为 {agency.parent} 的上级机关"
    if problems:
        raise InvalidInput("机关信息有误：" + "；".join(problems.values()), problems)
    return agency
