"""The notice catalog (``configs/notices/notices.yaml``): kinds, reply variants, grounds and
the articles of each edition of the regulations, checked when the composition root reads it
(``govflow.app.load_notices``) and handed down; the domain never opens the file itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govflow.workflow.errors import InvalidInput

DEFAULT_EDITION = "ogi-2019"  # the codes of configs/editions.yaml
CATALOG_FILE = ("notices", "notices.yaml")  # where it ships, under govflow.configs


@dataclass(frozen=True)
class NoticeKind:
    code: str
    title: str
    prefix: str
    template: str
    cites: tuple[str, ...]
    recipient: str  # applicant | party

    @property
    def sequence(self) -> str:
        """The numbering sequence (kinds with one prefix share it, so numbers stay unique)."""
        return f"notice:{self.prefix}"


@dataclass(frozen=True)
class Edition:
    regulation: str
    articles: dict[str, str]  # key → "第三十条"

    def cite(self, keys: tuple[str, ...] | list[str]) -> str:
        """``《条例》第三十条、第三十三条`` — the regulation's name once, then each article;
        a measure of its own (``《…办法》``) is written as it is."""
        parts, own = [], []
        for key in keys:
            text = self.articles.get(key)
            if text is None:
                continue
            (own if text.startswith("《") else parts).append(text)
        cited = f"{self.regulation}{'、'.join(parts)}" if parts else ""
        return "、".join(x for x in [cited, *own] if x)


@dataclass(frozen=True)
class Catalog:
    kinds: dict[str, NoticeKind]
    replies: dict[str, str]  # outcome group → kind
    grounds: dict[str, tuple[str, ...]]  # outcome code → article keys
    editions: dict[str, Edition]

    def reply_kind(self, outcome: str) -> NoticeKind:
        return self.kinds[self.replies[outcome.split(".", 1)[0]]]

    def edition(self, code: str | None) -> Edition:
        """The articles of the case's edition (``DisclosureFacts.edition_code``)."""
        return self.editions.get(code or DEFAULT_EDITION) or self.editions[DEFAULT_EDITION]


def _problem(path: Path, where: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {where}: {message}")


def parse_catalog(raw: Any, path: Path, outcome_codes: list[str]) -> Catalog:
    if not isinstance(raw, dict):
        raise _problem(path, "(文件)", "应为键值映射")
    kinds: dict[str, NoticeKind] = {}
    for code, spec in (raw.get("kinds") or {}).items():
        where = f"kinds.{code}"
        missing = [k for k in ("title", "prefix", "template", "recipient") if not spec.get(k)]
        if missing:
            raise _problem(path, where, f"缺少 {', '.join(missing)}")
        if spec["recipient"] not in ("applicant", "party"):
            raise _problem(path, f"{where}.recipient", "应为 applicant 或 party")
        kinds[code] = NoticeKind(
            code,
            spec["title"],
            spec["prefix"],
            spec["template"],
            tuple(spec.get("cites") or ()),
            spec["recipient"],
        )
    replies = dict(raw.get("replies") or {})
    for group, kind in replies.items():
        if kind not in kinds:
            raise _problem(path, f"replies.{group}", f"没有告知书种类 {kind!r}")
    groups = {code.split(".", 1)[0] for code in outcome_codes}
    if groups - set(replies):
        raise _problem(path, "replies", f"缺少答复类型组 {sorted(groups - set(replies))}")
    grounds = {code: tuple(keys) for code, keys in (raw.get("grounds") or {}).items()}
    if set(outcome_codes) - set(grounds):
        raise _problem(path, "grounds", f"缺少答复类型 {sorted(set(outcome_codes) - set(grounds))}")
    editions: dict[str, Edition] = {}
    for name, spec in (raw.get("editions") or {}).items():
        articles = {k: v["text"] for k, v in (spec.get("articles") or {}).items()}
        editions[str(name)] = Edition(spec["regulation"], articles)
    if DEFAULT_EDITION not in editions:
        raise _problem(path, "editions", f"缺少 {DEFAULT_EDITION} 版条例的条文")
    for name, edition in editions.items():
        used = {k for kind in kinds.values() for k in kind.cites}
        used |= {k for keys in grounds.values() for k in keys} | {"remedies"}
        unknown = used - set(edition.articles)
        if name == DEFAULT_EDITION and unknown:
            raise _problem(path, f"editions.{name}.articles", f"缺少条文 {sorted(unknown)}")
    return Catalog(kinds, replies, grounds, editions)
