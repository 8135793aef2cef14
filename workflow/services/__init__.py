"""The service layer: the one door into govflow for every front end (CLI, HTTP API, web).

Every use case takes ``Services`` (a unit of work per call, the clock, the calendar, the
configuration), takes the person acting or reading, and returns plain data. Nothing
else in govflow is called by a front end to read or change a case.

Writing::

    open_case            open a case of any type by its creation action    (cases)
    act                  one action on a case, in one transaction          (cases)
    apply_action         the same inside a caller's unit of work (expiries) (cases)
    recompute_deadlines  after a calendar update (T-4)                     (cases)
    register_request     register a disclosure request                     (requests)
    import_requests      an office's ledger of past requests, all or nothing (imports)
    adopt_policy, acknowledge   escalation ladders, firings (an event on the case) (firings)
    fire_due             every due escalation rule once, in batches (the sweeper) (escalations)
    dispatch_outbox      hand deliveries to the broker after commit       (escalations)
    send_digests         the day's digests, once (after each sweep)       (digests)
    deliver              one notification to its channel, idempotently    (delivery)
    record_checkpoint    note a checkpoint taken (A-2)                     (integrity)
    seal_unkeyed         a history from before the chain key, sealed       (integrity)

Reading (each takes the reader and shows only what the reader may read)::

    identify             who a front end acts or reads for                 (base)
    case_detail          one case: fields, deadlines now, history, allowed actions (reading)
    list_cases           lists and search: filters, least time left first, keyset pages (reading)
    case_timeline        a case's history with the deadlines as they stood (A-3) (reading)
    annual_report, timeliness_report   R-1, R-2                            (reports)
    periodic_report      a declared type's daily list, monthly or quarterly tally (reports)
    accountability       the incidents' breaches (I-4)                     (incidents)
    firings, firing      escalations fired, delivered or not, acknowledged (firings)
    digests              the daily digests made                            (digests)
    next_due_at          when the next rule fires (a simulated sweeper)    (escalations)
    verify_cases, checkpoint_heads, check_checkpoint   tamper evidence (A-2) (integrity)
    open_findings        what verify found and no later verify cleared     (integrity)
    case_types, diagram  the installation's case types                     (catalogue)
    compute_limit        the deadline calculator (``workflow.calculator``, calendar only)

Modules outside this package never import from it (the front ends, the workers, the demo
and the synthetic-data writer excepted): whatever enters first, the package is whole.

May import: ``govflow.workflow`` only (the domain below it).
"""

from govflow.workflow.calculator import LimitAnswer, compute_limit
from govflow.workflow.errors import GovflowError
from govflow.workflow.ports import UnitOfWork, WritingUnitOfWork
from govflow.workflow.services.base import Services, identify, load_case
from govflow.workflow.services.cases import (
    act,
    apply_action,
    check_projection,
    open_case,
    recompute_deadlines,
    save,
)
from govflow.workflow.services.catalogue import CaseTypeInfo, case_types, diagram
from govflow.workflow.services.delivery import Delivered, deliver
from govflow.workflow.services.digests import DigestView, digests, send_digests
from govflow.workflow.services.escalations import (
    SweepReport,
    dispatch_outbox,
    fire_due,
    next_due_at,
)
from govflow.workflow.services.firings import (
    FiringView,
    acknowledge,
    adopt_policy,
    firing,
    firings,
)
from govflow.workflow.services.imports import ImportResult, import_requests
from govflow.workflow.services.incidents import AccountabilityEntry, accountability
from govflow.workflow.services.integrity import (
    check_checkpoint,
    checkpoint_heads,
    checkpoint_scope,
    open_findings,
    record_checkpoint,
    seal_unkeyed,
    verify_all,
    verify_cases,
)
from govflow.workflow.services.reading import (
    CaseDetail,
    CaseFilter,
    CasePage,
    CaseSummary,
    CaseTimeline,
    case_detail,
    case_timeline,
    list_cases,
)
from govflow.workflow.services.reports import annual_report, periodic_report, timeliness_report
from govflow.workflow.services.requests import register_request

__all__ = [
    "AccountabilityEntry",
    "CaseDetail",
    "CaseFilter",
    "CasePage",
    "CaseSummary",
    "CaseTimeline",
    "CaseTypeInfo",
    "Delivered",
    "DigestView",
    "FiringView",
    "GovflowError",
    "ImportResult",
    "LimitAnswer",
    "Services",
    "SweepReport",
    "UnitOfWork",
    "WritingUnitOfWork",
    "accountability",
    "acknowledge",
    "act",
    "adopt_policy",
    "annual_report",
    "apply_action",
    "case_detail",
    "case_timeline",
    "case_types",
    "check_checkpoint",
    "check_projection",
    "checkpoint_heads",
    "checkpoint_scope",
    "compute_limit",
    "deliver",
    "diagram",
    "digests",
    "dispatch_outbox",
    "fire_due",
    "firing",
    "firings",
    "identify",
    "import_requests",
    "list_cases",
    "load_case",
    "next_due_at",
    "open_case",
    "open_findings",
    "periodic_report",
    "recompute_deadlines",
    "record_checkpoint",
    "register_request",
    "save",
    "seal_unkeyed",
    "send_digests",
    "timeliness_report",
    "verify_all",
    "verify_cases",
]
