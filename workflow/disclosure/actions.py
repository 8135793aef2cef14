"""Input of each disclosure-request action (SPEC D-1…D-9), validated before anything is written.

Each model is what a person types or a script sends; dates default to the day the
action is recorded (the service fills them from the clock). The validated model,
dumped to JSON, is the ``payload`` of the action's event.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from govflow.workflow.case_workers import CASE_WORKER
from govflow.workflow.disclosure.fees import MAX_AMOUNT, MAX_PAGES
from govflow.workflow.payloads import Payload

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OutcomeCode = Annotated[str, StringConstraints(max_length=64)]  # one of the outcomes (rules.py)


class ApplicantKind(StrEnum):
    NATURAL_PERSON = "natural_person"
    LEGAL_PERSON = "legal_person"


class LegalPersonSubkind(StrEnum):
    """The five 法人或其他组织 columns of table 三."""

    COMMERCIAL = "commercial"
    RESEARCH = "research"
    PUBLIC_INTEREST = "public_interest"
    LEGAL_SERVICES = "legal_services"
    OTHER = "other"


class Channel(StrEnum):
    """How the request arrived; decides what fixes the receipt date (D-2, Art. 31)."""

    IN_PERSON = "in_person"
    REGISTERED_POST = "registered_post"
    LETTER = "letter"
    ONLINE = "online"
    EMAIL = "email"
    FAX = "fax"


CHANNEL_LABELS = {
    Channel.IN_PERSON: "当面提交",
    Channel.REGISTERED_POST: "邮寄（需签收）",
    Channel.LETTER: "平常信函",
    Channel.ONLINE: "互联网渠道",
    Channel.EMAIL: "电子邮件",
    Channel.FAX: "传真",
}

RECEIPT_RULES = {
    Channel.IN_PERSON: "当面提交的，以提交之日为收到申请之日",
    Channel.REGISTERED_POST: "邮寄需签收的，以签收之日为收到申请之日",
    Channel.LETTER: "平常信函无需签收的，以与申请人确认之日为收到申请之日",
    Channel.ONLINE: "互联网渠道提交的，以双方确认之日为收到申请之日",
    Channel.EMAIL: "电子邮件提交的，以双方确认之日为收到申请之日",
    Channel.FAX: "传真提交的，以双方确认之日为收到申请之日",
}

RECEIPT_ON_ARRIVAL = frozenset({Channel.IN_PERSON, Channel.REGISTERED_POST})
"""Channels whose receipt date is known when the request arrives (Art. 31): the day it is
handed in, or the day the office signed for the registered letter. Registering such a
request starts its clock at once; the others wait for a confirmation with the applicant."""

SUBKIND_LABELS = {
    LegalPersonSubkind.COMMERCIAL: "商业企业",
    LegalPersonSubkind.RESEARCH: "科研机构",
    LegalPersonSubkind.PUBLIC_INTEREST: "社会公益组织",
    LegalPersonSubkind.LEGAL_SERVICES: "法律服务机构",
    LegalPersonSubkind.OTHER: "其他",
}


# ``hint``: how a form and docs/actions.md describe a pattern to people
# (``workflow/inputs.py``), never as the regular expression.
IdNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z-]{6,30}$"),
    Field(json_schema_extra={"hint": "6–30 位数字、字母或连字符"}),
]
Phone = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9+\- ]{5,20}$"),
    Field(json_schema_extra={"hint": "5–20 位数字，可含 + - 和空格"}),
]
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$"),
    Field(json_schema_extra={"hint": "电子邮箱，如 zhang@example.com"}),
]


class Applicant(Payload):
    kind: ApplicantKind
    subkind: LegalPersonSubkind | None = None
    name: Name
    id_number: IdNumber
    phone: Phone | None = None
    address: Name | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _subkind_matches_kind(self) -> Applicant:
        if self.kind is ApplicantKind.LEGAL_PERSON and self.subkind is None:
            raise ValueError("法人或其他组织须注明组织类别 subkind")
        if self.kind is ApplicantKind.NATURAL_PERSON and self.subkind is not None:
            raise ValueError("自然人不应填写组织类别 subkind")
        if not (self.phone or self.address or self.email):
            raise ValueError("须至少提供一种联系方式：电话、通信地址或电子邮箱")
        return self


class Receive(Payload):
    """登记收到的申请 (D-1)."""

    applicant: Applicant
    description: Text
    document_number: Name | None = None
    form: Literal["paper", "electronic"] = "paper"
    delivery: Literal["post", "pickup", "email", "online"] = "pickup"
    channel: Channel
    received_on: date


class ConfirmReceipt(Payload):
    receipt_date: date


class Assign(Payload):
    assignee: Annotated[Name, CASE_WORKER]  # offered as the agency's people who may work it


class Empty(Payload):
    pass


class ReplyOnTheSpot(Payload):
    """当场答复: only outcomes that need no decision (the edition's ``on_the_spot``)."""

    outcome: OutcomeCode
    summary: Text
    where: Name | None = None  # already published: where the applicant finds it


class RequestCorrection(Payload):
    items: Text
    # None: the office's default (settings ``correction_period_days``), recorded in the event.
    period_days: int | None = Field(default=None, ge=1, le=60)
    notice_on: date


class SubmitCorrection(Payload):
    corrected_on: date
    good_reason: Text | None = None


class StartConsultation(Payload):
    """征求意见 (Art. 32, 34): the reply clock stops from ``sent_on``; the other side's 15
    working days run from the day the letter reached it — ``received_on`` when known at once
    (handed over), else from the delivery recorded later (``record_delivery``)."""

    party_kind: Literal["third_party", "agency"]
    party_name: Name
    sent_on: date
    received_on: date | None = None
    note: Text | None = None


class EndConsultation(Payload):
    consultation: int | None = Field(default=None, ge=1)
    answered_on: date
    result: Literal["agreed", "objected", "no_reply"]
    note: Text | None = None


class SendFeeNotice(Payload):
    """收费通知 (D-6): *sent* within the reply limit (``sent_on``); the payment window runs
    from the day after the applicant *received* it — ``notice_received_on`` when known at
    once (handed over), else from the delivery recorded later (``record_delivery``).
    Events recorded before the two dates were kept apart carry only ``notice_received_on``,
    which then stands for both."""

    basis: Literal["per_request", "per_volume"]
    pages: int | None = Field(default=None, ge=1, le=MAX_PAGES)
    # A notice asks for money: 0 yuan is no notice (it would pause the clock and then close
    # the request as unpaid). Absent: the amount the bands give (``fees.proposal``). At most
    # what a notice can print in capitals, and far below (``fees.MAX_AMOUNT``).
    amount: int | None = Field(default=None, ge=1, le=MAX_AMOUNT)
    sent_on: date | None = None
    notice_received_on: date | None = None
    reason: Text

    @model_validator(mode="after")
    def _pages_for_volume(self) -> SendFeeNotice:
        if self.basis == "per_volume" and self.pages is None:
            raise ValueError("按件数以外的按量计收（per_volume）须填写页数 pages")
        return self


class RequestReasons(Payload):
    """要求说明理由 (Art. 35): the volume or frequency clearly exceeds a reasonable range."""

    reason: Text
    period_days: int = Field(default=15, ge=1, le=60)


DELIVERY_METHODS = {
    "in_person": "当面送达",
    "post": "邮寄签收",
    "email": "电子邮件送达",
    "sms_platform": "短信或平台送达",
}


class RecordDelivery(Payload):
    """送达: how and when a notice reached its recipient. For post, ``delivered_on`` is the
    day it was signed for. Where the law counts from receipt (the fee window, a consultee's
    15 working days), the limit starts from ``delivered_on``."""

    document: int = Field(ge=1)
    method: Literal["in_person", "post", "email", "sms_platform"]
    sent_on: date | None = None
    delivered_on: date
    tracking_number: Name | None = None
    note: Text | None = None


class RecordPayment(Payload):
    paid_on: date


class Extend(Payload):
    days: int = Field(ge=1)  # at most the edition's maximum, which the case recorded (L-1)
    reason: Text
    notified_on: date


class SetReplyDate(Payload):
    due_date: date
    reason: Text


class DraftReply(Payload):
    outcome: OutcomeCode
    summary: Text


class ApproveReply(Payload):
    replied_on: date
    note: Text | None = None


class RejectReply(Payload):
    reason: Text


class Withdraw(Payload):
    withdrawn_on: date
    reason: Text


class LegalChallenge(Payload):
    """行政复议 / 行政诉讼 record (table 四); a later record with the same ``number`` updates it."""

    number: Name
    route: str
    result: Literal["upheld", "corrected", "other", "pending"]
    filed_on: date
    decided_on: date | None = None


class Reconsideration(LegalChallenge):
    route: Literal["reconsideration"] = "reconsideration"


class Litigation(LegalChallenge):
    """A lawsuit names its route: table 四 counts 未经复议直接起诉 and 复议后起诉 apart, and
    no default could know which it was."""

    route: Literal["direct", "after_reconsideration"]


class Expire(Payload):
    """A system expiry (D-4, D-5, D-6), fired by the sweeper: the clock decides.

    ``deadline`` names the deadline that ran out (needed when there are several, as
    with consultations).
    """

    deadline: Name | None = None


PAYLOADS: dict[str, type[Payload]] = {
    "receive": Receive,
    "confirm_receipt": ConfirmReceipt,
    "assign": Assign,
    "start_review": Empty,
    "reply_on_the_spot": ReplyOnTheSpot,
    "request_correction": RequestCorrection,
    "submit_correction": SubmitCorrection,
    "correction_expired": Expire,
    "accept": Empty,
    "start_consultation": StartConsultation,
    "end_consultation": EndConsultation,
    "consultation_expired": Expire,
    "send_fee_notice": SendFeeNotice,
    "request_reasons": RequestReasons,
    "record_delivery": RecordDelivery,
    "record_payment": RecordPayment,
    "fee_expired": Expire,
    "extend": Extend,
    "set_reply_date": SetReplyDate,
    "draft_reply": DraftReply,
    "approve_reply": ApproveReply,
    "reject_reply": RejectReply,
    "withdraw": Withdraw,
    "archive": Empty,
    "record_reconsideration": Reconsideration,
    "record_litigation": Litigation,
}

DATE_DEFAULTS: dict[str, str] = {
    "receive": "received_on",
    "confirm_receipt": "receipt_date",
    "request_correction": "notice_on",
    "submit_correction": "corrected_on",
    "start_consultation": "sent_on",
    "end_consultation": "answered_on",
    "send_fee_notice": "sent_on",
    "record_delivery": "delivered_on",
    "record_payment": "paid_on",
    "extend": "notified_on",
    "approve_reply": "replied_on",
    "withdraw": "withdrawn_on",
}
"""The date field of each action that defaults to today (Asia/Shanghai) when omitted."""
