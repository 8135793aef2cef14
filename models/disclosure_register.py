"""The disclosure requests' register on SQL: ``disclosure_requests`` and ``challenges``.

Implements the ports ``RequestRegister`` (what the use cases write and consult),
``RequestReports`` (what the annual and timeliness reports read) and ``ImportedRequests``
(where imported requests came from) of
``govflow.workflow.disclosure.register``. The row mapping is shared with the bulk writer
(``govflow.models.bulk``), so both leave the same rows.

The annual report is counted by the database over ``disclosure_requests`` alone (receipt,
reply and closure days, outcome and agency are kept on the request, under a covering
index): a few hundred groups come back however many requests there are (R-1 at scale).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select, update
from sqlalchemy.orm import Session, aliased

from govflow.models.disclosure_tables import ChallengeRow, DisclosureRequestRow, ImportedRequestRow
from govflow.models.rows import LoadedCase
from govflow.models.tables import AgencyRow, CaseRow, DeadlineRow, UserRow
from govflow.workflow.deadlines import Deadline
from govflow.workflow.disclosure.deadline_kinds import REPLY
from govflow.workflow.disclosure.facts import DisclosureFacts
from govflow.workflow.disclosure.register import ApplicantPreview, RequestRecord
from govflow.workflow.reports.annual import ChallengeRecord, Period, RequestTally, applicant_column
from govflow.workflow.reports.timeliness import RequestLimits

BATCH = 1000

# -- the mapping, shared with the bulk writer ---------------------------------------------------


def new_request_row(
    case_id: int, agency_id: int, intake: dict[str, Any], derived: dict[str, Any]
) -> DisclosureRequestRow:
    applicant = intake["applicant"]
    return DisclosureRequestRow(
        case_id=case_id,
        agency_id=agency_id,
        applicant_kind=applicant["kind"],
        applicant_subkind=applicant.get("subkind"),
        applicant_name=applicant["name"],
        applicant_key=derived["applicant_key"],
        id_number=applicant["id_number"],
        phone=applicant.get("phone"),
        address=applicant.get("address"),
        email=applicant.get("email"),
        description=intake["description"],
        description_key=derived["description_key"],
        channel=intake["channel"],
        received_on=date.fromisoformat(intake["received_on"]),
    )


def request_row_values(facts: DisclosureFacts) -> dict[str, Any]:
    """The columns of the request's row that follow its facts (``register.ROW_FACTS``)."""
    return {
        "receipt_date": facts.receipt_date,
        "replied_on": facts.replied_on,
        "closed_on": facts.closed_on,
        "outcome": facts.outcome,
    }


def update_request_row(request: DisclosureRequestRow, facts: DisclosureFacts) -> None:
    for column, value in request_row_values(facts).items():
        setattr(request, column, value)


def challenge_values(
    case_id: int, agency_id: int, seq: int, record: dict[str, Any]
) -> dict[str, Any]:
    """The ``challenges`` row of a reconsideration or lawsuit record."""
    return {
        "case_id": case_id,
        "agency_id": agency_id,
        "seq": seq,
        "number": record["number"],
        "route": record["route"],
        "result": record["result"],
        "filed_on": date.fromisoformat(record["filed_on"]),
    }


def request_record(row: DisclosureRequestRow) -> RequestRecord:
    return RequestRecord(
        applicant_kind=row.applicant_kind,
        applicant_subkind=row.applicant_subkind,
        applicant_name=row.applicant_name,
        applicant_key=row.applicant_key,
        id_number=row.id_number,
        phone=row.phone,
        address=row.address,
        email=row.email,
        description=row.description,
        description_key=row.description_key,
        channel=row.channel,
        received_on=row.received_on,
        receipt_date=row.receipt_date,
    )


def _applicant_counts(applicant_key: str, day: date, *also: Any) -> Select[Any]:
    """The applicant's requests received in ``day``'s month and in its year, in one
    statement (then any ``also`` counts, conditions within that month): the fee rule's
    count (D-6) and the registration form's (D-7) are the same count."""
    r = DisclosureRequestRow
    year_start = day.replace(month=1, day=1)
    in_month = and_(r.received_on >= day.replace(day=1), r.received_on <= month_end(day))
    return select(
        func.count(case((in_month, 1))),
        func.count(),
        *(func.count(case((and_(in_month, condition), 1))) for condition in also),
    ).where(
        r.applicant_key == applicant_key,
        r.received_on >= year_start,
        r.received_on <= year_start.replace(month=12, day=31),
    )


def month_end(day: date) -> date:
    nxt = (
        day.replace(year=day.year + 1, month=1, day=1)
        if day.month == 12
        else day.replace(month=day.month + 1, day=1)
    )
    return date.fromordinal(nxt.toordinal() - 1)


# -- the register ---------------------------------------------------------------------------


class SqlRequestRegister:
    """The register inside one session; ``case_row(ref)`` is the repository's cached row."""

    def __init__(self, session: Session, case_row: Callable[[str], CaseRow | LoadedCase]) -> None:
        self.session = session
        self._case_row = case_row
        # Held here because the session's identity map holds rows weakly: a use case that
        # reads the request twice (the fee rule, then the view) would fetch it twice.
        self._rows: dict[int, DisclosureRequestRow] = {}

    def add(self, ref: str, intake: dict[str, Any], derived: dict[str, Any]) -> None:
        row = self._case_row(ref)
        self.session.add(new_request_row(row.id, row.agency_id, intake, derived))

    def _row(self, ref: str) -> DisclosureRequestRow | None:
        case_id = self._case_row(ref).id
        row = self._rows.get(case_id) or self.session.get(DisclosureRequestRow, case_id)
        if row is not None:
            self._rows[case_id] = row
        return row

    def update(self, ref: str, facts: DisclosureFacts) -> None:
        case_id = self._case_row(ref).id
        held = self._rows.get(case_id)
        if held is not None:  # read earlier in this unit of work: kept up to date
            update_request_row(held, facts)
            return
        # Not read: written without reading it first (one statement, not two).
        self.session.execute(
            update(DisclosureRequestRow)
            .where(DisclosureRequestRow.case_id == case_id)
            .values(request_row_values(facts))
        )  # any copy of the row the session holds is brought up to date with it (ORM "auto")

    def add_challenge(self, ref: str, seq: int, record: dict[str, Any]) -> None:
        row = self._case_row(ref)
        self.session.add(ChallengeRow(**challenge_values(row.id, row.agency_id, seq, record)))

    def request(self, ref: str) -> RequestRecord | None:
        row = self._row(ref)
        return request_record(row) if row is not None else None

    def applicant_counts(self, applicant_key: str, received_on: date, ref: str) -> dict[str, int]:
        """The applicant's requests this month and year, and this one's ordinal in the month."""
        case_id = self._case_row(ref).id
        r = DisclosureRequestRow
        earlier = (r.received_on < received_on) | (
            (r.received_on == received_on) & (r.case_id <= case_id)
        )
        month, year, ordinal = self.session.execute(
            _applicant_counts(applicant_key, received_on, earlier)
        ).one()
        return {"ordinal_in_month": int(ordinal or 1), "this_month": month, "this_year": year}

    def same_information(self, applicant_key: str, description_key: str, ref: str) -> list[str]:
        rows = self.session.execute(
            select(CaseRow.ref)
            .join(DisclosureRequestRow, DisclosureRequestRow.case_id == CaseRow.id)
            .where(
                DisclosureRequestRow.applicant_key == applicant_key,
                DisclosureRequestRow.description_key == description_key,
                CaseRow.ref != ref,
            )
            .order_by(CaseRow.id)
        )
        return [r[0] for r in rows]

    def applicant_preview(
        self, applicant_key: str, description_key: str, received_on: date, agency_id: int
    ) -> ApplicantPreview:
        r = DisclosureRequestRow
        month, year = self.session.execute(_applicant_counts(applicant_key, received_on)).one()
        same = self.session.scalars(
            select(CaseRow.ref)
            .join(r, r.case_id == CaseRow.id)
            .where(
                r.applicant_key == applicant_key,
                r.description_key == description_key,
                r.agency_id == agency_id,
            )
            .order_by(CaseRow.id)
            .limit(50)
        )
        return ApplicantPreview(
            this_month=int(month),
            this_year=int(year),
            same_information=tuple(same),
        )

    # -- imported requests (ImportedRequests) -----------------------------------------------

    def imported_refs(self, agency_id: int, keys: Sequence[str]) -> dict[str, str]:
        """Reference numbers of requests already imported for the agency, by row key."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # a parameter list the databases accept
            rows = self.session.execute(
                select(ImportedRequestRow.row_key, CaseRow.ref)
                .join(CaseRow, CaseRow.id == ImportedRequestRow.case_id)
                .where(
                    ImportedRequestRow.agency_id == agency_id,
                    ImportedRequestRow.row_key.in_(keys[start : start + 500]),
                )
            )
            found.update(dict(rows.all()))
        return found

    def add_imported(self, ref: str, **values: Any) -> None:
        """Record where an imported request came from (its case row must be flushed)."""
        row = self._case_row(ref)
        self.session.add(ImportedRequestRow(case_id=row.id, agency_id=row.agency_id, **values))

    # -- what the reports read (RequestReports) ----------------------------------------------

    def annual_tallies(self, agency_ids: Sequence[int], year: int) -> list[RequestTally]:
        """The agencies' requests grouped for the year in one query over ``disclosure_requests``
        alone (its report index holds every column counted)."""
        r = DisclosureRequestRow
        received = _period(func.coalesce(r.receipt_date, r.received_on), year)
        result_on = func.coalesce(r.replied_on, r.closed_on)
        result = case((result_on.is_(None), None), else_=_period(result_on, year))
        rows = self.session.execute(
            select(
                r.applicant_kind,
                r.applicant_subkind,
                received.label("received"),
                result.label("result"),
                r.outcome,
                func.count(),
                func.min(r.case_id),
            )
            .where(r.agency_id.in_(agency_ids))
            .group_by(r.applicant_kind, r.applicant_subkind, received, result, r.outcome)
        ).all()
        merged: dict[tuple[str, Period, Period | None, str | None], tuple[int, int]] = {}
        for kind, subkind, received_in, result_in, outcome, count, first_id in rows:
            key = (
                applicant_column(kind, subkind),
                Period(received_in),
                None if result_in is None else Period(result_in),
                outcome,
            )
            seen, first = merged.get(key, (0, first_id))
            merged[key] = (seen + count, min(first, first_id))
        # A group's first request names it in messages (an outcome missing from the list).
        refs = dict(
            self.session.execute(
                select(CaseRow.id, CaseRow.ref).where(
                    CaseRow.id.in_([f for _, f in merged.values()])
                )
            ).all()
        )
        ordered = sorted(merged.items(), key=lambda item: item[1][1])
        return [RequestTally(*key, count=n, ref=refs[first]) for key, (n, first) in ordered]

    def challenges(self, agency_ids: Sequence[int]) -> list[ChallengeRecord]:
        """Each reconsideration or lawsuit once: a later record with the same number replaces
        the earlier one."""
        latest: dict[str, ChallengeRecord] = {}
        records = self.session.execute(
            select(
                ChallengeRow.number, ChallengeRow.route, ChallengeRow.result, ChallengeRow.filed_on
            )
            .where(ChallengeRow.agency_id.in_(agency_ids))
            .order_by(ChallengeRow.case_id, ChallengeRow.seq)
        )
        for number, route, result, filed_on in records:
            latest[number] = ChallengeRecord(number, route, result, filed_on)
        return list(latest.values())

    def reply_limits(
        self, agency_ids: Sequence[int], open_states: frozenset[str]
    ) -> Iterator[RequestLimits]:
        """Every request in scope with its reply limit (the ``deadlines`` projection, checked
        against the events by the tests), assignee and agency, streamed."""
        reply = aliased(DeadlineRow)
        stmt = (
            select(
                CaseRow.ref,
                CaseRow.state,
                CaseRow.assignee,
                AgencyRow.name,
                UserRow.name,
                reply.detail,
                DisclosureRequestRow.closed_on,
            )
            .join(DisclosureRequestRow, DisclosureRequestRow.case_id == CaseRow.id)
            .join(AgencyRow, AgencyRow.id == CaseRow.agency_id)
            .outerjoin(UserRow, UserRow.username == CaseRow.assignee)
            .outerjoin(reply, and_(reply.case_id == CaseRow.id, reply.key == REPLY))
            .where(CaseRow.agency_id.in_(agency_ids))
            .order_by(CaseRow.id)
            .execution_options(yield_per=BATCH)
        )
        for ref, state, assignee, agency, user_name, detail, closed_on in self.session.execute(
            stmt
        ):
            yield RequestLimits(
                ref=ref,
                department=agency,
                handler=user_name or assignee,
                is_open=state in open_states,
                reply=Deadline.from_json(detail) if detail is not None else None,
                closed_on=closed_on,
            )


def _period(day: Any, year: int) -> Any:
    """SQL for ``workflow.reports.annual.period_of``: where the day falls against the year."""
    return case(
        (day < date(year, 1, 1), Period.BEFORE.value),
        (day <= date(year, 12, 31), Period.DURING.value),
        else_=Period.AFTER.value,
    )
