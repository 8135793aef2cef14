"""Benchmark: what issuing a notice adds to the action that requires it, and what it adds
to an action that does not (it should be nothing).

The peer is the same action on the same database with notices switched off
(``build_services(notices=False)``), so the ratio is the notices' cost alone: a number
allocated, the template filled and rendered (docxtpl), the file written and fsync'ed.
``extend`` issues the 延期答复告知书; ``assign`` issues nothing. SQLite file in a temp dir,
fresh cases each round, the median over the cases.

Run: ``python bench/bench_notices.py [cases]`` (from the repository root; default 60).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path


def main(cases: int = 60) -> None:
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from govflow import configs
    from govflow.app import build_services, load_calendar, open_engine, prepare_database
    from govflow.logs import configure_logging
    from govflow.models.filestore import DirectoryStore
    from govflow.workflow import services
    from govflow.workflow.clock import SHANGHAI, FakeClock

    configure_logging()  # warnings only, as the CLI runs
    calendar = load_calendar()
    results: dict[tuple[str, bool], list[float]] = {}
    with tempfile.TemporaryDirectory() as work:
        for with_notices in (False, True):
            engine = open_engine(f"sqlite:///{work}/{with_notices}.db")
            prepare_database(configs.shipped("demo_org.yaml"), engine)
            clock = FakeClock(datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI))
            files = DirectoryStore(Path(work) / f"files-{with_notices}")
            svc = build_services(engine, clock, calendar, files=files, notices=with_notices)
            if svc.notices is not None:
                svc.notices.templates.check_all()  # start-up work, not the action's
            principals = services.Principals(svc, "cli:bench")
            for n in range(cases):
                intake = {
                    "applicant": {
                        "kind": "natural_person",
                        "name": f"申请人{n}",
                        "id_number": f"61092619900101{n:04d}",
                        "phone": "13800000000",
                    },
                    "description": f"第{n}份文件",
                    "channel": "in_person",
                }
                ref = services.register_request(
                    svc, agency_code="county", principal=principals("wang.clerk"), intake=intake
                )
                for action, who, payload in (
                    ("assign", "zhang.head", {"assignee": "li.handler"}),
                    ("extend", "zhang.head", {"days": 5, "reason": "量大"}),
                ):
                    started = time.perf_counter()
                    services.act(
                        svc, ref=ref, action=action, payload=payload, principal=principals(who)
                    )
                    results.setdefault((action, with_notices), []).append(
                        time.perf_counter() - started
                    )
            engine.dispose()
    print(f"{cases} cases on SQLite, median per action (ms):")
    for action in ("assign", "extend"):
        off = statistics.median(results[(action, False)]) * 1000
        on = statistics.median(results[(action, True)]) * 1000
        print(f"  {action:7s} notices off {off:6.1f}   on {on:6.1f}   ratio {on / off:4.2f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
