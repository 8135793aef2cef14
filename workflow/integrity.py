"""Where the tamper-evidence use cases used to live; they are now
``govflow.workflow.services.integrity`` (re-exported here for code written against the old
name)."""

from govflow.workflow.services.integrity import (
    CHECK_BATCH,
    VERIFY_BATCH,
    check_checkpoint,
    checkpoint_heads,
    checkpoint_scope,
    open_findings,
    record_checkpoint,
    seal_unkeyed,
    verify_all,
    verify_cases,
)

__all__ = [
    "CHECK_BATCH",
    "VERIFY_BATCH",
    "check_checkpoint",
    "checkpoint_heads",
    "checkpoint_scope",
    "open_findings",
    "record_checkpoint",
    "seal_unkeyed",
    "verify_all",
    "verify_cases",
]
