"""The closed list of reply outcomes (SPEC D-8), read from ``configs/outcomes.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from govflow import configs


@dataclass(frozen=True)
class Outcome:
    code: str
    heading: str
    label: str
    system_only: bool

    @property
    def full_label(self) -> str:
        return self.label if self.label == self.heading else f"{self.heading} / {self.label}"


@cache
def outcomes() -> dict[str, Outcome]:
    path = configs.shipped("outcomes.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        o["code"]: Outcome(o["code"], o["heading"], o["label"], o.get("set_by") == "system")
        for o in raw["outcomes"]
    }
