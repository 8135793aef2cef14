"""依申请公开 (SPEC section 2): the hooks ``configs/case_types/disclosure_request.yaml`` names.

The declaration holds the topology; this package holds what the law needs code for: the
inputs (``actions``), the fold that moves the deadlines (``facts``; with the consultation
handlers in ``consultations``, the kinds of limit in ``deadline_kinds`` and the stored shape
in ``state``), the legal guards and the rules in force (``rules``, with what they and
``derive`` both look up in ``lookups``, and the part of them no input changes, which
decides what a case offers, in ``preconditions``), the fee bands (``fees``), the request register it
keeps beside the case tables (``register``), how a request reads (``view``), its contract
with shared code (``contract``). Its use case, registering a request, is
``govflow.workflow.services.requests``.

May import: the domain (``govflow.workflow``), never its services package.
"""

from govflow.workflow.disclosure.contract import workflow
from govflow.workflow.disclosure.rules import conditions

__all__ = ["conditions", "workflow"]
