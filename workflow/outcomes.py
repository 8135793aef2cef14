"""The closed list of reply outcomes (SPEC D-8), read from ``configs/outcomes.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

import configs


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
    path = Path(configs.__file__).parent / "outcomes.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        o["code"]: Outcome(o["code"], o["heading"], o["label"], o.get("set_by") == "system")
        for o in raw["outcomes"]
    }
