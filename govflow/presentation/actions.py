"""Each case type's actions — Chinese name, roles, states, input fields — as zh-CN text,
Markdown (``docs/actions.md`` is this, generated) and JSON (``govflow workflow actions``)."""

from __future__ import annotations

from typing import Any

from govflow.workflow.inputs import ActionInfo, InputField, TypeActions

DOC_HEADER = """# 各类案件的动作与字段

本文件由 `govflow workflow actions --format md > docs/actions.md` 生成，与引擎运行的声明文件
和输入模型同源；`tests/unit/test_actions_doc.py` 检查它是否为最新。请勿手工编辑。

字段名即 `--set 字段=值` 与 `--file` 中使用的名字；嵌套字段写作 `applicant.name`（在 `--file`
中写成嵌套的键）。“必填”为“否”的字段可以不填。所有文本字段不得含控制字符（制表符与换行除外）。
"""


def _states(labels: tuple[str, ...], codes: tuple[str, ...]) -> str:
    return "、".join(f"{label}（{code}）" for label, code in zip(labels, codes, strict=True)) or "—"


def _roles(action: ActionInfo) -> str:
    return "、".join(action.role_labels) or "—"


def _field_line(f: InputField) -> str:
    need = "必填" if f.required else "选填"
    limits = f"；{'；'.join(f.limits)}" if f.limits else ""
    return f"{f.label}（{f.name}）：{f.type_label}，{need}{limits}"


def actions_text(types: list[TypeActions]) -> list[str]:
    lines: list[str] = []
    for t in types:
        lines.append(f"{t.label}（{t.name}）")
        for a in t.actions:
            opening = "　[登记新案件]" if a.creates else ""
            lines.append(f"  {a.name}　{a.label}{opening}")
            lines.append(f"    角色：{_roles(a)}")
            if not a.creates:
                lines.append(f"    可执行状态：{_states(a.source_labels, a.sources)}")
            lines.append(f"    执行后状态：{_states(a.dest_labels, a.dests)}")
            if a.fields:
                lines.append("    字段：")
                lines += [f"      {_field_line(f)}" for f in a.fields]
            else:
                lines.append("    字段：无")
        lines.append("")
    return lines[:-1] if lines else lines


def _declared_in(source: str) -> str:
    """A shipped declaration by its place in the repository (the same on every machine)."""
    marker = "/configs/case_types/"
    posix = source.replace("\\", "/")
    return posix[posix.index(marker) + 1 :] if marker in posix else source


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def actions_markdown(types: list[TypeActions]) -> str:
    lines = [DOC_HEADER]
    for t in types:
        lines += [f"## {t.label}（`{t.name}`）", "", f"声明文件：`{_declared_in(t.source)}`", ""]
        for a in t.actions:
            lines += [f"### {a.label}（`{a.name}`）", ""]
            lines.append(f"- 角色：{_roles(a)}")
            if a.creates:
                lines.append("- 登记新案件")
            else:
                lines.append(f"- 可执行状态：{_states(a.source_labels, a.sources)}")
            lines.append(f"- 执行后状态：{_states(a.dest_labels, a.dests)}")
            lines.append("")
            if not a.fields:
                lines += ["无输入字段。", ""]
                continue
            lines += ["| 字段 | 名称 | 类型 | 必填 | 限制 |", "|---|---|---|---|---|"]
            for f in a.fields:
                need = "是" if f.required else "否"
                limits = _cell("；".join(f.limits)) or "—"
                lines.append(f"| `{f.name}` | {f.label} | {f.type_label} | {need} | {limits} |")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def actions_json(types: list[TypeActions]) -> list[dict[str, Any]]:
    return [
        {
            "case_type": t.name,
            "label": t.label,
            "source": t.source,
            "actions": [
                {
                    "name": a.name,
                    "label": a.label,
                    "creates": a.creates,
                    "roles": list(a.roles),
                    "role_labels": list(a.role_labels),
                    "sources": list(a.sources),
                    "dests": list(a.dests),
                    "fields": [
                        {
                            "name": f.name,
                            "label": f.label,
                            "type": f.type,
                            "required": f.required,
                            "limits": list(f.limits),
                        }
                        for f in a.fields
                    ],
                }
                for a in t.actions
            ],
        }
        for t in types
    ]
