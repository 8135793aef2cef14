"""A consultation of a third party or another organ (Art. 32, 34), and the fold's handlers
for it: recording the letter, starting the other side's limit, its answer or its lapse,
and resuming the reply clock once every consultation that paused it has ended.

Apart from ``facts`` because a consultation is a concept of its own with a record, a limit
and a pause of the reply clock; ``DisclosureFacts`` mixes ``ConsultationFold`` in, and its
``FOLD`` table names these handlers like the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from govflow.workflow.deadlines import Deadline
from govflow.workflow.disclosure import actions as a
from govflow.workflow.disclosure.deadline_kinds import (
    CONSULTATION,
    DEADLINE_LABELS,
    REPLY,
    consultation_key,
)

if TYPE_CHECKING:
    from govflow.workflow.disclosure.editions import Edition


@dataclass
class Consultation:
    number: int
    party_kind: str
    party_name: str
    sent_on: date
    days: int | None = 15  # the other side's limit; None under the 2008 rules
    received_on: date | None = None  # the day the letter reached the other side
    answered_on: date | None = None
    result: str | None = None
    pauses: bool = (
        True  # left out of the reply limit (every kind in 2019; only third parties in 2008)
    )

    @property
    def who(self) -> str:
        return "第三方" if self.party_kind == "third_party" else "其他机关"

    @property
    def open(self) -> bool:
        return self.answered_on is None


class ConsultationFold:
    """The consultation handlers of ``DisclosureFacts`` (which supplies these attributes and
    ``_start`` / ``_no_correction_needed``)."""

    consultations: list[Consultation]
    deadlines: dict[str, Deadline]
    edition: Edition | None

    def _on_start_consultation(
        self, p: a.StartConsultation, derived: dict[str, Any], at: datetime
    ) -> None:
        self._no_correction_needed()
        number = len(self.consultations) + 1
        pauses = derived.get("pauses_reply_clock", True)
        days = derived.get("consultation_days")  # None: the 2008 rules set the party no time
        consultation = Consultation(
            number, p.party_kind, p.party_name, p.sent_on, days, pauses=pauses
        )
        self.consultations.append(consultation)
        if pauses:
            rule = f"consultation_{p.party_kind}"
            cite = f"{self.edition.cite(rule)}，" if self.edition else ""
            who = consultation.who
            self.deadlines[REPLY].pause(p.sent_on, f"征求{who}意见，{cite}期间不计入答复期限")
        if days is None:
            return
        if not derived.get("from_delivery"):
            # Recorded before sending and receiving were kept apart: counted from sending.
            self._start_consultation_limit(consultation, p.sent_on, None)
        elif p.received_on is not None:
            self._start_consultation_limit(consultation, p.received_on, "当面送达")

    def _start_consultation_limit(self, c: Consultation, received: date, how: str | None) -> None:
        """The other side's limit, from the day the letter reached it (Art. 32, 34)."""
        assert c.days is not None
        c.received_on = received
        deadline = self._start(
            consultation_key(c.number),
            CONSULTATION,
            f"{DEADLINE_LABELS[CONSULTATION]}（{c.who}：{c.party_name}）",
            received,
            c.days,
            f"consultation_{c.party_kind}",
        )
        if how is not None:
            deadline.start_note = (
                f"自{c.who}收到征求意见之日（{received.isoformat()}，{how}）起计算 {c.days} 个"
                f"工作日；征求意见于 {c.sent_on.isoformat()} 发出，答复期限自发出之日起中止计算。"
            )

    def _on_end_consultation(
        self, p: a.EndConsultation, derived: dict[str, Any], at: datetime
    ) -> None:
        consultation = self.consultations[derived["consultation"] - 1]
        consultation.answered_on, consultation.result = p.answered_on, p.result
        # No limit: none was set (2008 rules), or the answer came before the delivery was
        # recorded.
        deadline = self.deadlines.get(consultation_key(consultation.number))
        if deadline is None:
            pass
        elif p.result == "no_reply":
            # The other side's silence ends the consultation; it is no breach of the office.
            deadline.cancel(
                "第三方逾期未答复，由机关依法决定"
                if consultation.party_kind == "third_party"
                else "其他机关逾期未答复，视为同意"
            )
        else:
            deadline.meet(p.answered_on, at)
        self._resume_after_consultations()

    def _on_consultation_expired(self, p: a.Expire, derived: dict[str, Any], at: datetime) -> None:
        """15 working days without an answer (Art. 32, 34): the clock resumes after the limit."""
        consultation = self.consultations[derived["consultation"] - 1]
        ended_on = date.fromisoformat(derived["ended_on"])
        consultation.answered_on, consultation.result = ended_on, "no_reply"
        self.deadlines[consultation_key(consultation.number)].cancel(
            "第三方逾期未答复，由机关依法决定"
            if consultation.party_kind == "third_party"
            else "其他机关逾期未答复，视为同意"
        )
        self._resume_after_consultations()

    def _resume_after_consultations(self) -> None:
        """The reply clock resumes the day after the last consultation that paused it ended."""
        pausing = [c for c in self.consultations if c.pauses]
        if pausing and all(not c.open for c in pausing):
            last = max(c.answered_on for c in pausing if c.answered_on)
            self.deadlines[REPLY].resume(last)
