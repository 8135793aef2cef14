"""The paths a disclosure request takes (SPEC D-1…D-9), and how often each is taken.

Proportions of the random part (every path also appears at least once per agency in
the covering part, see ``plan.CATALOGUE``), as weights of a draw, about % of requests:

=========================================  ====  ==========================================
path                                        %    what happens
=========================================  ====  ==========================================
standard                                    56   审核 → 受理 → 答复稿 → 审批答复, in time
  … with the draft sent back once            3   reject_reply, then a new draft
  … replied late (breach)                    3   approved after the due date
on_the_spot                                  5   当场答复 the day it is handed in (Art. 33)
not_processed (at review)                    7   不予处理 straight from 审核 (Art. 35, 36, 39)
correction, then corrected                   5   补正 within 7 working days; clock restarts
correction expired                           2   system ``correction_expired`` → 其他处理
consultation (third party / agency)          5   agreed 55, objected 25 (third parties only),
                                                 expired 18 (system), "no reply" noted 2
two consultations at once                  0.5   the clock stays paused until the last ends
fee paid / fee expired                  1.5/0.5  收费通知; payment resumes the clock
extension (in time / still late)          4/0.5  延长 before the limit passes, ≤ 20 days
D-7 later reply date                         1   另行确定答复期限 (Art. 35)
withdrawn                                    4   at any stage before the reply
burst of a 职业申请人                         0.3   12–18 requests within three working days
                                                 (some 4 % of all requests): from the 11th
                                                 of the month on, per-request fees,
                                                 不予处理 (excessive, duplicate), D-7 dates
=========================================  ====  ==========================================

Replies late overall: about 4 % (the late paths, and drafts sent back on the last day).
Outcomes of replies after handling (in %): 予以公开 42, 部分公开 10, 不予公开 8 (its
eight reasons), 无法提供 32 (not held 25, needs creation 7), 其他处理 / 其他 8 (referral
to another agency). At review: 信访举报 35, 重复 25, 确认或重新出具 20, 出版物 10, 大量反复 10.
After a reply: archived in 85 % (2–20 working days later); 行政复议 3 %, 直接起诉 1 %,
复议后起诉 0.5 % (results: upheld 60, corrected 15, other 10, pending 15).
Channels: online 40, in person 20, registered post 13, e-mail 12, letter 10, fax 5.
"""

from __future__ import annotations

import random
from typing import Any

from govflow.synth.plan_disclosure import Request

HANDLED = {
    "disclosed": 42,
    "partially_disclosed": 10,
    "withheld.state_secret": 0.5,
    "withheld.law_forbids": 1,
    "withheld.security_stability": 0.5,
    "withheld.third_party": 1.5,
    "withheld.internal_affairs": 1.5,
    "withheld.process_info": 2,
    "withheld.enforcement_file": 0.5,
    "withheld.query_matter": 0.5,
    "unavailable.not_held": 25,
    "unavailable.needs_creation": 7,
    "other.misc": 8,
}
AT_REVIEW = {
    "not_processed.petition": 35,
    "not_processed.duplicate": 25,
    "not_processed.confirmation": 20,
    "not_processed.publication": 10,
    "not_processed.excessive": 10,
}
CHANNELS = {
    "online": 40,
    "in_person": 20,
    "registered_post": 13,
    "email": 12,
    "letter": 10,
    "fax": 5,
}
RESULTS = {"upheld": 60, "corrected": 15, "other": 10, "pending": 15}
WITHDRAW_STAGES = (
    "received",
    "registered",
    "reviewing",
    "awaiting_correction",
    "handling",
    "consulting",
    "awaiting_fee",
    "reply_review",
)

# (weight, path, options) of the random part; a burst is planned by ``plan``.
RANDOM_PATHS: tuple[tuple[float, str, dict[str, Any]], ...] = (
    (56, "standard", {}),
    (3, "standard", {"reject": True}),
    (3, "standard", {"late": True}),
    (5, "on_the_spot", {}),
    (7, "not_processed", {}),
    (5, "correction", {"submitted": True}),
    (2, "correction", {"submitted": False}),
    (5, "consultation", {}),
    (0.5, "two_consultations", {}),
    (1.5, "fee", {"paid": True}),
    (0.5, "fee", {"paid": False}),
    (4, "extension", {}),
    (0.5, "extension", {"late": True}),
    (1, "set_reply_date", {}),
    (4, "withdraw", {}),
    (0.3, "burst", {}),
)


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def finish(r: Request, opts: dict[str, Any]) -> None:
    """After the reply: the archive, and sometimes a reconsideration or a lawsuit."""
    archive = opts.get("archive")
    if archive is None:
        archive = r.rng.random() < 0.85
    if archive:
        r.archive()
    challenge = opts.get("challenge")
    if challenge is None:
        roll = r.rng.random()
        if roll < 0.03:
            challenge = ("reconsideration", pick(r.rng, RESULTS))
        elif roll < 0.04:
            challenge = ("direct", pick(r.rng, RESULTS))
        elif roll < 0.045:
            challenge = ("after_reconsideration", pick(r.rng, RESULTS))
    if challenge:
        r.challenge(*challenge)


def standard(r: Request, opts: dict[str, Any]) -> None:
    r.review()
    r.accept()
    outcome = opts.get("outcome") or pick(r.rng, HANDLED)
    r.reply(outcome, late=opts.get("late", False), reject=opts.get("reject", False))
    finish(r, opts)


def on_the_spot(r: Request, opts: dict[str, Any]) -> None:
    """当场答复: registered and replied at the counter (the intake is in person)."""
    from govflow.synth.topics import ON_THE_SPOT, PUBLISHED_AT

    outcome = opts.get("outcome") or r.rng.choice(sorted(ON_THE_SPOT))
    r.on_the_spot = {"outcome": outcome, "summary": ON_THE_SPOT[outcome]}
    if outcome == "disclosed":  # already published: the reply says where
        r.on_the_spot["where"] = PUBLISHED_AT
    r.replied_on, r.state = r.received_on, "replied"
    finish(r, opts)


def not_processed(r: Request, opts: dict[str, Any]) -> None:
    r.review()
    r.reply(opts.get("outcome") or pick(r.rng, AT_REVIEW), reject=opts.get("reject", False))
    finish(r, opts)


def correction(r: Request, opts: dict[str, Any]) -> None:
    r.review()
    period_due = r.request_correction()
    if not opts.get("submitted", True):
        r.expire("correction_expired", "correction_period", period_due)
        return
    r.submit_correction(period_due)
    r.accept()
    default = "unavailable.still_unclear" if r.rng.random() < 0.3 else pick(r.rng, HANDLED)
    r.reply(opts.get("outcome") or default)
    finish(r, opts)


def consultation(r: Request, opts: dict[str, Any]) -> None:
    """One consultation; the answer decides the usual outcome (objection → 不予公开 / 部分公开)."""
    rng = r.rng
    kind = opts.get("kind") or rng.choice(("third_party", "third_party", "agency"))
    result = opts.get("result") or pick(
        rng,
        {
            "agreed": 55,
            "objected": 25 if kind == "third_party" else 0,
            "expired": 18,
            "no_reply": 2,
        },
    )
    r.review()
    if not opts.get("in_review"):
        r.accept()
    due = r.start_consultation(kind)
    assert r.clock is not None
    if result == "expired":
        r.expire("consultation_expired", "consultation-1", due)
        r.clock.resume(due)  # the clock resumes from the limit's last day
    else:
        r.clock.resume(r.end_consultation(due, result))
    r.state = "handling"
    if result == "objected":
        default = rng.choice(("withheld.third_party", "partially_disclosed"))
    else:
        default = rng.choice(("disclosed", "disclosed", "partially_disclosed"))
    r.reply(opts.get("outcome") or default)
    finish(r, opts)


def two_consultations(r: Request, opts: dict[str, Any]) -> None:
    """A third party and a co-producing agency at once; the clock waits for the last answer."""
    r.review()
    r.accept()
    first_due = r.start_consultation("third_party")
    second_due = r.start_consultation("agency")
    # Both answer within their limits (else the sweeper would have closed them first).
    second = r.end_consultation(min(first_due, second_due), "agreed", number=2)
    last = r.end_consultation(first_due, r.rng.choice(("agreed", "objected")), number=1)
    assert r.clock is not None
    r.clock.resume(max(second, last))
    r.state = "handling"
    r.reply(opts.get("outcome") or "partially_disclosed")
    finish(r, opts)


def fee(r: Request, opts: dict[str, Any]) -> None:
    r.review()
    r.accept()
    fee_due = r.fee_notice()
    if not opts.get("paid", True):
        r.expire("fee_expired", "fee_payment", fee_due)
        return
    r.pay(fee_due)
    r.reply(opts.get("outcome") or "disclosed")
    finish(r, opts)


def extension(r: Request, opts: dict[str, Any]) -> None:
    """Extended before the limit passed; the reply then needs the extra days (or is late even so)."""
    r.review()
    r.accept()
    old_due = r.extend()
    late = opts.get("late", False)
    r.reply(opts.get("outcome") or pick(r.rng, HANDLED), late=late, not_before=old_due)
    finish(r, opts)


def set_reply_date(r: Request, opts: dict[str, Any]) -> None:
    r.review()
    r.accept()
    statutory = r.set_reply_date()
    r.reply(opts.get("outcome") or pick(r.rng, HANDLED), not_before=statutory)
    finish(r, opts)


def withdraw(r: Request, opts: dict[str, Any]) -> None:
    """撤回 at ``stage`` (any open state: the applicant may withdraw until the reply)."""
    stage = opts.get("stage") or r.rng.choice(WITHDRAW_STAGES)
    if stage == "received" and r.clock is None:
        r.withdraw()
        return
    r.confirm()
    if stage in ("received", "registered"):
        r.withdraw()
        return
    r.review()
    if stage == "awaiting_correction":
        r.request_correction()
    elif stage == "reviewing":
        pass
    else:
        r.accept()
        if stage == "consulting":
            r.start_consultation("third_party")
        elif stage == "awaiting_fee":
            r.fee_notice()
        elif stage == "reply_review":
            draft = r.cur.after(r.rng.randint(1, 5))
            outcome = pick(r.rng, HANDLED)
            r.do(draft, r.handler, "draft_reply", outcome=outcome, summary="答复稿待审批")
    r.withdraw()


PATHS = {
    "standard": standard,
    "on_the_spot": on_the_spot,
    "not_processed": not_processed,
    "correction": correction,
    "consultation": consultation,
    "two_consultations": two_consultations,
    "fee": fee,
    "extension": extension,
    "set_reply_date": set_reply_date,
    "withdraw": withdraw,
}
