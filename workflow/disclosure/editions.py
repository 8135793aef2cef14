"""Editions of the regulations (SPEC L-1): which rules governed a request, as dated data.

``configs/editions.yaml`` lists each edition of 《政府信息公开条例》 with the date from which
it governs requests: its limits, its reply outcomes, its fee regime, its on-the-spot rules
and the article behind each rule (read once at start-up and given to the disclosure
request's contract). A request takes the edition in force on its receipt date
(``Editions.on``); ``rules.derive`` records the edition's code and copies its limits
into the event that confirms the receipt, and every later rule reads them from there
(``DisclosureFacts.limits``), so neither an edited file nor a new edition moves an open case.

Limits are the law's; what the law leaves to the office (the correction period, whether a
fee wait pauses the clock) stays in ``configs/settings.yaml`` (``policy.DisclosurePolicy``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from govflow.workflow.actors import Role
from govflow.workflow.errors import InvalidInput
from govflow.workflow.outcomes import Outcome

EDITIONS_FILE = "editions.yaml"

LIMIT_KEYS = (
    "reply_days",
    "max_extension_days",
    "correction_notice_days",
    "consultation_days",
    "fee_payment_days",
)
CONSULTATION_KINDS = ("third_party", "agency")
ARTICLE_KEYS = frozenset(
    {
        "reply",
        "extension",
        "correction_notice",
        "correction_period",
        "consultation_third_party",
        "consultation_agency",
        "fee_payment",
        "unreasonable_volume",
        "on_the_spot",
        "receipt",
        "outcome",
    }
)
EDITION_KEYS = frozenset(
    {
        "code",
        "name",
        "short",
        "document",
        "in_force_from",
        "limits",
        "consultation_pauses",
        "fees",
        "unreasonable_volume",
        "outcomes",
        "on_the_spot",
        "articles",
    }
)
LEGACY = "ogi-2019"
"""The edition of events recorded before editions existed: govflow applied the 2019 rules."""


class EditionError(InvalidInput):
    """``configs/editions.yaml`` is malformed; the message names the place."""


@dataclass(frozen=True)
class Limits:
    """The statutory limits in working days; None where the edition sets none."""

    reply_days: int
    max_extension_days: int
    correction_notice_days: int | None
    consultation_days: int | None
    fee_payment_days: int | None

    def to_json(self) -> dict[str, int | None]:
        return {key: getattr(self, key) for key in LIMIT_KEYS}


@dataclass(frozen=True)
class SpotOutcome:
    """An outcome a clerk may give on the spot, because it needs no decision."""

    code: str
    says: str  # what the reply tells the applicant
    needs_where: bool = False  # already published: the reply must say where


@dataclass(frozen=True)
class Article:
    article: str  # 第三十三条
    text: str  # the rule in one sentence; ``{days}`` is filled from the case


@dataclass(frozen=True)
class Edition:
    code: str
    name: str
    short: str  # 《条例》(2019)
    document: str
    in_force_from: date
    in_force_until: date | None  # the day before the next edition; None for the current one
    limits: Limits
    consultation_pauses: frozenset[str]
    fee_measures: str | None  # None: the edition has no information-processing fee
    fees_from: date | None
    unreasonable_volume: bool
    outcomes: tuple[str, ...]
    spot_roles: frozenset[Role]
    spot_outcomes: dict[str, SpotOutcome] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)

    def governs(self, day: date) -> bool:
        return self.in_force_from <= day and (
            self.in_force_until is None or day <= self.in_force_until
        )

    def cite(self, rule: str) -> str:
        """``依据《条例》(2019) 第三十三条`` for a rule the edition has an article for."""
        article = self.articles.get(rule)
        return f"依据{self.short} {article.article}" if article else f"依据{self.short}"

    def basis(self, rule: str, days: int | None = None) -> str:
        """The cited rule as one sentence: ``依据《条例》(2019) 第三十三条：…20个工作日内予以答复``."""
        article = self.articles.get(rule)
        if article is None:
            return self.cite(rule)
        return f"{self.cite(rule)}：{article.text.format(days=days if days is not None else '')}"

    def pauses(self, party_kind: str) -> bool:
        """Whether a consultation of this kind is left out of the reply limit."""
        return party_kind in self.consultation_pauses


def _fail(where: str, what: str) -> EditionError:
    return EditionError(f"{where}: {what}")


def _day(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _fail(where, f"日期无效 {value!r}（应为 YYYY-MM-DD）") from None


def _limits(raw: Any, where: str) -> Limits:
    if not isinstance(raw, dict):
        raise _fail(where, f"应为映射（{', '.join(LIMIT_KEYS)}）")
    unknown = sorted(set(raw) - set(LIMIT_KEYS))
    missing = [k for k in LIMIT_KEYS if k not in raw]
    if unknown or missing:
        raise _fail(where, f"未知的键 {unknown}，缺少的键 {missing}")
    for key in LIMIT_KEYS:
        value = raw[key]
        required = key in ("reply_days", "max_extension_days")
        if value is None and not required:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise _fail(f"{where}.{key}", f"应为正整数，实为 {value!r}")
    return Limits(**{k: raw[k] for k in LIMIT_KEYS})


def _on_the_spot(raw: Any, known: tuple[str, ...], where: str) -> tuple[frozenset[Role], dict]:
    if not isinstance(raw, dict) or set(raw) - {"roles", "outcomes"}:
        raise _fail(where, "应为映射（roles、outcomes）")
    try:
        roles = frozenset(Role(r) for r in raw.get("roles") or [])
    except ValueError as exc:
        raise _fail(f"{where}.roles", str(exc)) from None
    if Role.SYSTEM in roles or Role.SUPERVISOR in roles:
        raise _fail(f"{where}.roles", "当场答复只能由登记员、经办人或负责人作出")
    spot: dict[str, SpotOutcome] = {}
    for i, item in enumerate(raw.get("outcomes") or []):
        place = f"{where}.outcomes[{i}]"
        if not isinstance(item, dict) or set(item) - {"code", "says", "needs"}:
            raise _fail(place, "应为 {code, says, needs}")
        code = item.get("code")
        if code not in known:
            raise _fail(place, f"答复类型 {code!r} 不在本版本的 outcomes 中")
        needs = item.get("needs")
        if needs not in (None, "where"):
            raise _fail(place, f"needs 只能为 where，实为 {needs!r}")
        spot[code] = SpotOutcome(code, str(item.get("says") or ""), needs == "where")
    return roles, spot


def _edition(raw: Any, where: str, catalogue: Mapping[str, Outcome]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(where, "应为映射")
    unknown = sorted(set(raw) - EDITION_KEYS)
    if unknown:
        raise _fail(where, f"未知的键 {', '.join(unknown)}")
    for key in ("code", "name", "short", "in_force_from", "limits", "outcomes", "on_the_spot"):
        if key not in raw:
            raise _fail(where, f"缺少 {key}")
    where = f"{where}（{raw['code']}）"
    known = tuple(raw["outcomes"] or [])
    strange = [c for c in known if c not in catalogue]
    if strange:
        raise _fail(f"{where}.outcomes", f"不在 configs/outcomes.yaml 中：{', '.join(strange)}")
    pauses = frozenset(raw.get("consultation_pauses") or [])
    if pauses - set(CONSULTATION_KINDS):
        raise _fail(f"{where}.consultation_pauses", f"只能为 {' / '.join(CONSULTATION_KINDS)}")
    fees = raw.get("fees")
    if fees is not None and (not isinstance(fees, dict) or set(fees) != {"measures", "from"}):
        raise _fail(f"{where}.fees", "应为 null 或 {measures, from}")
    articles: dict[str, Article] = {}
    for key, value in (raw.get("articles") or {}).items():
        if key not in ARTICLE_KEYS:
            raise _fail(
                f"{where}.articles",
                f"未知的规则 {key!r}（可用：{', '.join(sorted(ARTICLE_KEYS))}）",
            )
        if not isinstance(value, dict) or set(value) != {"article", "text"}:
            raise _fail(f"{where}.articles.{key}", "应为 {article, text}")
        articles[key] = Article(str(value["article"]), str(value["text"]))
    roles, spot = _on_the_spot(raw["on_the_spot"], known, f"{where}.on_the_spot")
    limits = _limits(raw["limits"], f"{where}.limits")
    if fees is not None and limits.fee_payment_days is None:
        raise _fail(f"{where}.limits.fee_payment_days", "有收费制度的版本须规定缴费期限")
    return {
        "code": str(raw["code"]),
        "name": str(raw["name"]),
        "short": str(raw["short"]),
        "document": str(raw.get("document", "")),
        "in_force_from": _day(raw["in_force_from"], f"{where}.in_force_from"),
        "limits": limits,
        "consultation_pauses": pauses,
        "fee_measures": fees and str(fees["measures"]),
        "fees_from": fees and _day(fees["from"], f"{where}.fees.from"),
        "unreasonable_volume": bool(raw.get("unreasonable_volume", False)),
        "outcomes": known,
        "spot_roles": roles,
        "spot_outcomes": spot,
        "articles": articles,
    }


@dataclass(frozen=True)
class Editions:
    """Every edition, in the order they came into force (each ends the day before the next),
    and the D-8 list of outcomes they choose from."""

    editions: tuple[Edition, ...] = ()
    outcomes: Mapping[str, Outcome] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Edition]:
        return iter(self.editions)

    def __len__(self) -> int:
        return len(self.editions)

    def __getitem__(self, index: int) -> Edition:
        return self.editions[index]

    def find(self, code: str) -> Edition:
        for e in self:
            if e.code == code:
                return e
        known = "、".join(e.code for e in self)
        raise InvalidInput(f"未知的条例版本 {code!r}（现有：{known}）")

    def on(self, day: date) -> Edition:
        """The edition governing a request received on ``day``."""
        for e in self:
            if e.governs(day):
                return e
        first = self[0]
        raise InvalidInput(
            f"收到申请之日 {day.isoformat()} 早于{first.short}施行之日 "
            f"{first.in_force_from.isoformat()}，没有可适用的条例版本"
        )

    @property
    def first_day(self) -> date:
        """The first receipt date any edition governs (2008-05-01)."""
        return self[0].in_force_from


def parse_editions(raw: Any, where: str, outcomes: Mapping[str, Outcome]) -> Editions:
    """``configs/editions.yaml`` as the composition root read it; every outcome an edition
    names must be in the D-8 list (``outcomes``)."""
    items = raw.get("editions") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise _fail(where, "应有 editions 列表")
    parsed = [_edition(item, f"{where}: editions[{i}]", outcomes) for i, item in enumerate(items)]
    codes = [p["code"] for p in parsed]
    if len(set(codes)) != len(codes):
        raise _fail(where, f"版本代码重复：{codes}")
    starts = [p["in_force_from"] for p in parsed]
    if starts != sorted(set(starts)):
        raise _fail(where, "各版本须按施行日期先后排列，且施行日期不同")
    ends: list[date | None] = [date.fromordinal(s.toordinal() - 1) for s in starts[1:]]
    found = tuple(
        Edition(**p, in_force_until=end) for p, end in zip(parsed, [*ends, None], strict=True)
    )
    return Editions(found, dict(outcomes))
