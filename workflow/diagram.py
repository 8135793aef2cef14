"""State diagrams of a case type, drawn from the same declaration the engine runs (Mermaid, dot).

Transitions between the same two states are drawn as one arrow listing the actions'
Chinese labels; a transition guarded by a named condition shows it in brackets.
"""

from __future__ import annotations

from govflow.workflow.casetype import CaseType
from govflow.workflow.errors import InvalidInput

FORMATS = ("mermaid", "dot")


def _edges(case_type: CaseType) -> dict[tuple[str, str], list[str]]:
    """Arrows in the order of the declared states, each with its actions' labels."""
    order = {name: i for i, name in enumerate(case_type.states)}
    edges: dict[tuple[str, str], list[str]] = {}
    for spec in case_type.actions.values():
        for edge in spec.edges:
            label = spec.label + (f" [{', '.join(edge.conditions)}]" if edge.conditions else "")
            labels = edges.setdefault((edge.source, edge.dest), [])
            if label not in labels:
                labels.append(label)
    return dict(sorted(edges.items(), key=lambda e: (order[e[0][0]], order[e[0][1]])))


def mermaid(case_type: CaseType) -> str:
    lines = ["stateDiagram-v2", f"    %% {case_type.label}（{case_type.name}）"]
    for name, label in case_type.states.items():
        lines.append(f'    state "{label}" as {name}')
    lines.append(f"    [*] --> {case_type.initial} : {case_type.create_action.label}")
    for (source, dest), labels in _edges(case_type).items():
        lines.append(f"    {source} --> {dest} : {' / '.join(labels)}")
    lines += [f"    {name} --> [*]" for name in case_type.states if name in case_type.final]
    return "\n".join(lines)


def _quote(text: str) -> str:
    """A dot string; line breaks become dot's ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def dot(case_type: CaseType) -> str:
    lines = [
        f"digraph {case_type.name} {{",
        f"    label={_quote(case_type.label)};",
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Noto Sans CJK SC"];',
        '    edge [fontname="Noto Sans CJK SC", fontsize=10];',
        "    __start [shape=point];",
    ]
    for name, label in case_type.states.items():
        peripheries = ", peripheries=2" if name in case_type.final else ""
        text = _quote(label + "\n" + name)
        lines.append(f"    {name} [label={text}{peripheries}];")
    lines.append(
        f"    __start -> {case_type.initial} [label={_quote(case_type.create_action.label)}];"
    )
    for (source, dest), labels in _edges(case_type).items():
        lines.append(f"    {source} -> {dest} [label={_quote(chr(10).join(labels))}];")
    lines.append("}")
    return "\n".join(lines)


def render(case_type: CaseType, fmt: str = "mermaid") -> str:
    if fmt not in FORMATS:
        raise InvalidInput(f"未知格式 {fmt!r}（可用：{' / '.join(FORMATS)}）")
    return mermaid(case_type) if fmt == "mermaid" else dot(case_type)
