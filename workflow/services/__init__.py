"""The service layer: the one door into govflow for every front end (CLI, HTTP API, web).

Every use case takes ``Services`` (a unit of work per call, the clock, the calendar, the
configuration), takes the person acting or reading, and returns plain data. Nothing
else in govflow is called by a front end to read or change a case.

Writing::

    open_case            open a case of any type by its creation action    (cases)
    act                  one action on a case, in one transaction          (cases)
    act_and_read         the same, answered with the case it left (the API) (cases)
    apply_action         the same inside a caller's unit of work (expiries) (cases)
    recompute_deadlines  after a calendar update (T-4)                     (upkeep)
    import_calendar      a calendar file into the database, then the recompute (calendar_imports)
    recompute_open_deadlines   every running limit on the calendar in force (calendar_imports)
    seed_calendar        ``govflow init``: the shipped files and GOVFLOW_CALENDAR_DIR (calendar_imports)
    fill_stored_facts    store the facts of cases from before they were kept (upkeep)
    register_request     register a disclosure request                     (requests)
    import_requests      an office's ledger of past requests, all or nothing (imports)
    adopt_policy, acknowledge   escalation ladders, firings (an event on the case) (firings)
    fire_due             every due escalation rule once, in batches (the sweeper) (escalations)
    dispatch_outbox      hand deliveries to the broker after commit       (escalations)
    send_digests         the day's digests, once (after each sweep)       (digests)
    deliver              one notification to its channel, idempotently    (delivery)
    record_checkpoint    note a checkpoint taken (A-2)                     (integrity)
    seal_unkeyed         a history from before the chain key, sealed       (integrity)
    attach, regenerate_notice   a file kept with a case; a notice rendered again (documents)
    add_user, set_password, lock_user, unlock_user, deactivate_user, activate_user,
    bootstrap_admin      accounts, by an administrator, in the security log (accounts)
    end_sessions         force a user out: every session ends (administration)
    add_agency           a new agency, in the security log (installation)
    login, logout, logout_everywhere, change_password   sessions           (signin)
    create_token, revoke_token   API tokens with a scope                   (tokens)
    upload_template, remove_template   a notice template per agency, by upload (templates)

Who is calling (a front end turns its credentials into a ``Principal``; the writing use
cases take it, read the account again and record the user and the channel)::

    principal_for        a user named by a trusted caller (the CLI's ``--as``) (accounts)
    authenticate_session, check_csrf   a session cookie and its CSRF token (signin)
    authenticate_token   an ``Authorization: Bearer`` API token            (tokens)

Reading (each takes the reader and shows only what the reader may read)::

    identify             who a front end reads for (an active account)     (base)
    list_users, security_log, login_log, list_tokens   accounts and logs   (accounts, logs, signin, tokens)
    security_log_lines, login_log_lines   the logs with words and names for their codes (logs)
    directory_names      agencies' and people's names beside the codes a list keeps (accounts)
    administrator, user_roster, token_roster, login_log_page   the administrator's screens (administration)
    escalation_ladders   the ladders in force, read-only (administration)
    case_detail          one case: fields, deadlines now, history, allowed actions, open audit findings (reading)
    list_cases           lists and search: filters, least time left first, keyset pages (reading)
    case_timeline        a case's history with the deadlines as they stood (A-3) (reading)
    annual_report, timeliness_report   R-1, R-2                            (reports)
    supervision_dashboard, supervised_agency   the supervisor's screens (R-2) (reports)
    supervised_agencies  the agencies a supervisor's reports may cover, for a form (reports)
    periodic_report      a declared type's daily list, monthly or quarterly tally (reports)
    accountability       the incidents' breaches (I-4)                     (incidents)
    firings, firing      escalations fired, delivered or not, acknowledged (firings)
    my_firings           those addressed to the reader: the notification centre (firings)
    digests              the daily digests made                            (digests)
    next_due_at          when the next rule fires (a simulated sweeper)    (escalations)
    verify_cases, checkpoint_heads, check_checkpoint   tamper evidence (A-2) (integrity)
    default_verify_jobs  how many worker processes verify uses by default (integrity)
    open_findings        what verify found and no later verify cleared     (integrity)
    recorded_findings, flagged_case_count   the same with when it was found; how many cases (integrity)
    verify_supervised, supervised_checkpoints   verify and checkpoints over a supervisor's tree (supervision)
    supervised_agency_name   the name of the agency whose tree those screens cover (supervision)
    supervised_findings, flagged_in_tree   the open findings of a supervisor's tree; their cases' count (supervision)
    list_templates       the uploaded notice templates (administrators)  (templates)
    template_words       the names shown beside their codes: kinds, agencies, uploaders (templates)
    list_documents, read_document   a case's notices and attachments (N-1, N-2) (documents)
    export_case_file, check_case_file   the case file (卷宗) and its check  (documents)
    case_types, diagram  the installation's case types                     (catalogue)
    openable_case_types  the types a person may open a case of             (catalogue)
    actions              each action's roles, states and input fields (no database) (catalogue)
    action_form, registration_form   what a form for an action asks (its model's fields) (forms, requests)
    case_forms           the forms of a case's actions, with the choices that depend on the case:
                         the people who may be named to work it (case_worker_choices) (forms)
    calendar_years, calendar_year   the working-day calendar in force (T-1, T-4) (calendar)
    stored_calendar, calendar_files   the calendar the database holds, its files (calendar_imports)
    CalendarWatch        a long-running process kept on the newest calendar (calendar_imports)
    case_type_sheets, agency_tree   the administrator's view of types and agencies (installation)
    configured_channels, send_test_message   the channels and their test message (channel_test)
    workbench            the workbench sections a person may use, and their home page (workbench)
    compute_limit        the deadline calculator (``workflow.calculator``, calendar only)

Modules outside this package never import from it (the front ends, the workers, the demo
and the synthetic-data writer excepted): whatever enters first, the package is whole.

May import: ``govflow.workflow`` only (the domain below it).
"""

from govflow.workflow.agencies import NewAgency
from govflow.workflow.calculator import LimitAnswer, compute_limit
from govflow.workflow.errors import GovflowError
from govflow.workflow.ports import UnitOfWork, WritingUnitOfWork
from govflow.workflow.services.accounts import (
    DirectoryNames,
    NewAccount,
    Principals,
    activate_user,
    add_user,
    bootstrap_admin,
    deactivate_user,
    directory_names,
    list_users,
    lock_user,
    principal_for,
    set_password,
    unlock_user,
)
from govflow.workflow.services.administration import (
    LoginLogPage,
    Roster,
    TokenRoster,
    administrator,
    end_sessions,
    escalation_ladders,
    login_log_page,
    token_roster,
    user_roster,
)
from govflow.workflow.services.base import Services, identify, load_case
from govflow.workflow.services.calendar import CalendarYear, calendar_year, calendar_years
from govflow.workflow.services.calendar_imports import (
    CalendarFileInForce,
    CalendarImported,
    CalendarWatch,
    calendar_files,
    import_calendar,
    recompute_open_deadlines,
    seed_calendar,
    stored_calendar,
)
from govflow.workflow.services.cases import (
    act,
    act_and_read,
    apply_action,
    current_version,
    open_case,
    save,
)
from govflow.workflow.services.catalogue import (
    CaseTypeInfo,
    OpenableType,
    actions,
    case_types,
    diagram,
    openable_case_types,
)
from govflow.workflow.services.channel_test import (
    ChannelView,
    configured_channels,
    send_test_message,
)
from govflow.workflow.services.delivery import Delivered, deliver
from govflow.workflow.services.digests import DigestView, digests, send_digests
from govflow.workflow.services.documents import (
    CATEGORIES,
    CaseDocuments,
    attach,
    check_case_file,
    export_case_file,
    list_documents,
    read_document,
    regenerate_notice,
)
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
    my_firings,
)
from govflow.workflow.services.forms import (
    ActionForm,
    FormField,
    action_form,
    case_forms,
    case_worker_choices,
)
from govflow.workflow.services.imports import ImportResult, import_requests
from govflow.workflow.services.incidents import AccountabilityEntry, accountability
from govflow.workflow.services.installation import (
    AgencyNode,
    CaseTypeSheet,
    add_agency,
    agency_tree,
    case_type_sheets,
)
from govflow.workflow.services.integrity import (
    check_checkpoint,
    checkpoint_heads,
    checkpoint_scope,
    flagged_case_count,
    open_findings,
    record_checkpoint,
    recorded_findings,
    seal_unkeyed,
    verify_all,
    verify_cases,
)
from govflow.workflow.services.logs import (
    LoginLine,
    SecurityLine,
    login_log_lines,
    security_log,
    security_log_lines,
)
from govflow.workflow.services.reading import (
    MAX_PAGE,
    MAX_SEARCH,
    CaseDetail,
    CaseFilter,
    CasePage,
    CaseSummary,
    CaseTimeline,
    case_detail,
    case_timeline,
    list_cases,
)
from govflow.workflow.services.reports import (
    annual_report,
    periodic_report,
    supervised_agencies,
    supervised_agency,
    supervision_dashboard,
    timeliness_report,
)
from govflow.workflow.services.requests import (
    applicant_preview,
    register_request,
    registration_form,
)
from govflow.workflow.services.signin import OUTCOMES as LOGIN_OUTCOMES
from govflow.workflow.services.signin import (
    NewSession,
    SessionView,
    authenticate_session,
    change_password,
    check_csrf,
    local_passwords,
    login,
    login_log,
    logout,
    logout_everywhere,
)
from govflow.workflow.services.supervision import (
    TakenCheckpoint,
    Verification,
    flagged_in_tree,
    supervised_agency_name,
    supervised_checkpoints,
    supervised_findings,
    verify_supervised,
)
from govflow.workflow.services.templates import (
    TemplateUpload,
    TemplateWords,
    list_templates,
    remove_template,
    template_words,
    upload_template,
)
from govflow.workflow.services.tokens import (
    IssuedToken,
    TokenRequest,
    authenticate_token,
    create_token,
    list_tokens,
    revoke_token,
)
from govflow.workflow.services.upkeep import (
    check_projection,
    fill_stored_facts,
    recompute_deadlines,
)
from govflow.workflow.services.verifying import MAX_VERIFY_JOBS, default_verify_jobs
from govflow.workflow.services.workbench import Section, Workbench, require_section, workbench

# One name a line would make this list longer than the rest of the module: packed, in
# the order ruff keeps it (RUF022). Every name above, and nothing else.
# fmt: off
__all__ = [
    "CATEGORIES", "LOGIN_OUTCOMES", "MAX_PAGE", "MAX_SEARCH", "MAX_VERIFY_JOBS",
    "AccountabilityEntry", "ActionForm", "AgencyNode", "CalendarFileInForce", "CalendarImported",
    "CalendarWatch", "CalendarYear", "CaseDetail", "CaseDocuments", "CaseFilter", "CasePage",
    "CaseSummary", "CaseTimeline", "CaseTypeInfo", "CaseTypeSheet", "ChannelView", "Delivered",
    "DigestView", "DirectoryNames", "FiringView", "FormField", "GovflowError", "ImportResult",
    "IssuedToken", "LimitAnswer", "LoginLine", "LoginLogPage", "NewAccount", "NewAgency", "NewSession",
    "OpenableType", "Principals", "Roster", "Section", "SecurityLine", "Services", "SessionView", "SweepReport",
    "TakenCheckpoint", "TemplateUpload", "TemplateWords", "TokenRequest", "TokenRoster",
    "UnitOfWork", "Verification", "Workbench", "WritingUnitOfWork",
    "accountability", "acknowledge", "act", "act_and_read", "action_form", "actions",
    "activate_user", "add_agency", "add_user", "administrator", "adopt_policy", "agency_tree",
    "annual_report", "applicant_preview", "apply_action", "attach", "authenticate_session",
    "authenticate_token", "bootstrap_admin", "calendar_files", "calendar_year", "calendar_years",
    "case_detail", "case_forms", "case_timeline", "case_type_sheets", "case_types",
    "case_worker_choices", "change_password", "check_case_file", "check_checkpoint", "check_csrf",
    "check_projection", "checkpoint_heads", "checkpoint_scope", "compute_limit",
    "configured_channels", "create_token", "current_version", "deactivate_user",
    "default_verify_jobs", "deliver", "diagram", "digests", "directory_names", "dispatch_outbox",
    "end_sessions", "escalation_ladders", "export_case_file", "fill_stored_facts", "fire_due",
    "firing", "firings", "flagged_case_count", "flagged_in_tree", "identify", "import_calendar",
    "import_requests", "list_cases", "list_documents", "list_templates", "list_tokens",
    "list_users", "load_case", "local_passwords", "lock_user", "login", "login_log",
    "login_log_lines", "login_log_page", "logout", "logout_everywhere", "my_firings", "next_due_at", "open_case",
    "open_findings", "openable_case_types", "periodic_report", "principal_for", "read_document",
    "recompute_deadlines", "recompute_open_deadlines", "record_checkpoint", "recorded_findings",
    "regenerate_notice", "register_request", "registration_form", "remove_template",
    "require_section",
    "revoke_token", "save", "seal_unkeyed", "security_log", "security_log_lines", "seed_calendar", "send_digests",
    "send_test_message", "set_password", "stored_calendar", "supervised_agencies",
    "supervised_agency", "supervised_agency_name", "supervised_checkpoints", "supervised_findings",
    "supervision_dashboard", "template_words", "timeliness_report", "token_roster", "unlock_user",
    "upload_template", "user_roster", "verify_all", "verify_cases", "verify_supervised",
    "workbench",
]
# fmt: on
