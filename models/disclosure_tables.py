"""Tables of the disclosure register (依申请公开), kept beside the case tables: the
requests' intake fields (``disclosure_requests``), the 行政复议 / 行政诉讼 records
(``challenges``) and the requests imported from an office's spreadsheet
(``imported_requests``), mapped to the domain's records by ``disclosure_register``.

Apart from ``tables`` because they belong to one case type: the shared case, event and
deadline tables never refer to them; they refer to ``cases``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govflow.models.tables import Base, UTCDateTime


class DisclosureRequestRow(Base):
    """D-1 intake fields; personal data lives here and in the intake event, never in logs.

    ``agency_id`` and ``outcome`` repeat the case row's, so the annual report reads this
    table alone, through a covering index (R-1 over a million requests in about a second).
    """

    __tablename__ = "disclosure_requests"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    outcome: Mapped[str | None] = mapped_column(String(64))
    applicant_kind: Mapped[str] = mapped_column(String(32))
    applicant_subkind: Mapped[str | None] = mapped_column(String(32))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_key: Mapped[str] = mapped_column(String(32), index=True)
    id_number: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    description_key: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    received_on: Mapped[date] = mapped_column(Date)
    receipt_date: Mapped[date | None] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)  # withdrawn or closed without a reply

    __table_args__ = (
        Index("ix_disclosure_requests_applicant_month", "applicant_key", "received_on"),
        Index(
            "ix_disclosure_requests_report",
            "agency_id",
            postgresql_include=[
                "applicant_kind",
                "applicant_subkind",
                "received_on",
                "receipt_date",
                "replied_on",
                "closed_on",
                "outcome",
            ],
        ),
    )


class ChallengeRow(Base):
    """One 行政复议 / 行政诉讼 record (table 四), as its event recorded it; a later record
    with the same number replaces the earlier one in the report."""

    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(200))
    route: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(16))
    filed_on: Mapped[date] = mapped_column(Date)


class ImportedRequestRow(Base):
    """A disclosure request created from an office's spreadsheet (``govflow import requests``):
    from which file and line, by whom, and the request's identity (``row_key``: the office's
    own number, or receipt date, applicant and description), unique per agency, so importing
    the same file again creates nothing twice."""

    __tablename__ = "imported_requests"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    row_key: Mapped[str] = mapped_column(String(64))
    original_ref: Mapped[str | None] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    line: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("agency_id", "row_key"),)
