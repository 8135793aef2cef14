"""The closed list of reply outcomes (SPEC D-8), as ``configs/outcomes.yaml`` gives it.

The composition root reads the file once (``govflow.app``); ``parse_outcomes`` turns it
into the table every report and view looks codes up in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    code: str
    heading: str
    label: str
    system_only: bool

    @property
    def full_label(self) -> str:
        return self.label if self.label == self.heading else f"{self.heading} / {self.label}"


def parse_outcomes(raw: dict[str, Any]) -> dict[str, Outcome]:
    """The outcomes in the file's order (the annual report's row order)."""
    return {
        o["code"]: Outcome(o["code"], o["heading"], o["label"], o.get("set_by") == "system")
        for o in raw["outcomes"]
    }
