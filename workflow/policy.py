"""Settings that law leaves to local rules or configuration (``configs/settings.yaml``).

The values in force when a deadline starts are copied into that action's event, so
later edits of the file never silently move an open case's dates.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

import configs


class DisclosurePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reply_days: int = Field(20, ge=1)
    max_extension_days: int = Field(20, ge=0)
    correction_notice_days: int = Field(7, ge=1)
    correction_period_days: int = Field(15, ge=1)
    consultation_days: int = Field(15, ge=1)
    fee_payment_days: int = Field(20, ge=1)
    fee_pauses_reply_clock: bool = True
    non_working_receipt_moves_to_next_working_day: bool = False


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    disclosure: DisclosurePolicy = DisclosurePolicy()


@cache
def load_settings() -> Settings:
    """``configs/settings.yaml``, overlaid by the file named in ``GOVFLOW_SETTINGS`` if set."""
    raw: dict = yaml.safe_load((Path(configs.__file__).parent / "settings.yaml").read_text("utf-8"))
    override = os.environ.get("GOVFLOW_SETTINGS")
    if override:
        extra = yaml.safe_load(Path(override).read_text("utf-8")) or {}
        for section, values in extra.items():
            raw.setdefault(section, {}).update(values or {})
    return Settings.model_validate(raw)
