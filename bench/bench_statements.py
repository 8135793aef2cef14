"""SQL statements per use case on the hot path (one action = load, check, fold, append, write).

Counts the statements each call sends to a fresh SQLite database: registering a disclosure
request, two actions on it, and an action on an incident. Run it on two checkouts to see
whether a change adds work to every action::

    python bench/bench_statements.py

Figures: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from govflow import configs  # noqa: E402
from govflow.app import build_services, open_engine, prepare_database  # noqa: E402
from govflow.logs import configure_logging  # noqa: E402
from govflow.workflow import services  # noqa: E402
from govflow.workflow.clock import SHANGHAI, FakeClock  # noqa: E402

INTAKE = {
    "applicant": {
        "kind": "natural_person",
        "name": "张三",
        "id_number": "610926199001011234",
        "phone": "13800000000",
    },
    "description": "2024年县级财政预算执行情况",
    "channel": "in_person",
}


def main() -> None:
    configure_logging()  # warnings only: the use cases' info lines are not the measurement
    engine = open_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'statements.db'}")
    prepare_database(configs.shipped("demo_org.yaml"), engine)
    clock = FakeClock(datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI))
    svc = build_services(engine, clock)
    clerk = services.principal_for(svc, "wang.clerk", "cli:bench")
    handler = services.principal_for(svc, "li.handler", "cli:bench")
    sent = [0]
    event.listen(engine, "before_cursor_execute", lambda *_: sent.__setitem__(0, sent[0] + 1))

    def count(label: str, call: Callable[[], object]) -> object:
        sent[0] = 0
        result = call()
        print(f"{label:<32} {sent[0]:3d} statements")
        return result

    ref = count(
        "register_request (in person)",
        lambda: services.register_request(
            svc, agency_code="county", principal=clerk, intake=INTAKE
        ),
    )
    for action in ("start_review", "accept"):
        count(
            f"act {action}",
            lambda a=action: services.act(
                svc, ref=str(ref), action=a, payload={}, principal=handler
            ),
        )
    incident = services.open_case(
        svc,
        case_type="incident",
        agency_code="county",
        principal=clerk,
        payload={"title": "网传", "summary": "帖文", "platform": "微博", "topic": "教育"},
    )
    count(
        "act assess (incident)",
        lambda: services.act(svc, ref=incident, action="assess", payload={}, principal=handler),
    )


if __name__ == "__main__":
    main()
