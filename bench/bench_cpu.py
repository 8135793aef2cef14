"""Benchmark: CPU of one action and of one list through the service layer (issues 11, 12, 17).

``bench_actions.py`` times whole transitions against other contenders; on this VM their
rates move with the commit's fsync. The CPU a process spends per action and per list page
is the steadier figure, and the one the hot path's changes move. This script measures it
in-process on PostgreSQL (a schema of its own, dropped at the end):

- **act**: ``services.act`` over the path of ``bench_actions.PATH`` (nine actions a case),
  ``--cases`` cases after five warm-up cases; CPU per action, by action and mean.
- **list**: ``services.list_cases`` of 50 rows as the office head, ``--lists`` times over
  120 requests (half of them under review); CPU per list.

``--checkout PATH`` runs another checkout of govflow (an old commit's worktree) through the
editable install's finder, so old and new can be alternated in the same minutes::

    git worktree add /tmp/old <commit>
    python bench/bench_cpu.py --checkout /tmp/old
    python bench/bench_cpu.py
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def use_checkout(path: str) -> None:
    """Point the editable install's package mapping at ``path`` (before govflow is imported)."""
    finders = [m for m in sys.modules if m.startswith("__editable___govflow")]
    if not finders:
        raise SystemExit("--checkout needs govflow installed editable (pip install -e .)")
    finder = importlib.import_module(finders[0])
    mapping = finder.MAPPING  # type: ignore[attr-defined]
    mapping.update({k: v.replace(str(ROOT), path) for k, v in mapping.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--lists", type=int, default=200)
    parser.add_argument("--checkout", help="another checkout of govflow to measure")
    args = parser.parse_args()
    if args.checkout:
        use_checkout(str(Path(args.checkout).resolve()))
    # That checkout's bench_actions, which puts that checkout first on the path (its
    # ``govflow`` folder would otherwise be found before the editable finder's).
    sys.path.insert(0, str(Path(args.checkout or ROOT).resolve() / "bench"))
    os.environ.setdefault("GOVFLOW_CHAIN_KEY", "kbench:" + "ab" * 32)
    import bench_actions as b

    from govflow.workflow import services

    schema = b.new_schema()
    try:
        url = b.schema_url(schema)
        b.govflow_setup(url)
        svc = b._govflow_services(url)
        refs = [b._register(svc, i) for i in range(args.cases + 5)]
        spent: dict[str, float] = {}
        for k, ref in enumerate(refs):
            for action, who, payload in b.PATH:
                principal = b._as(svc, who)
                before = time.process_time()
                services.act(svc, ref=ref, action=action, payload=payload, principal=principal)
                if k >= 5:  # the first cases warm what a process keeps
                    spent[action] = spent.get(action, 0.0) + time.process_time() - before
        times = {a: sum(1 for x in b.PATH if x[0] == a) for a in spent}
        per_action = {a: round(1000 * t / (args.cases * times[a]), 3) for a, t in spent.items()}
        mean = 1000 * sum(spent.values()) / (args.cases * len(b.PATH))

        listed = [b._register(svc, 500_000 + i) for i in range(120)]
        for ref in listed[:60]:
            reviewer = b._as(svc, "li.handler")
            services.act(svc, ref=ref, action="start_review", payload={}, principal=reviewer)
        head = services.identify(svc, "zhang.head")
        for _ in range(20):
            services.list_cases(svc, head, limit=50)
        before = time.process_time()
        for _ in range(args.lists):
            services.list_cases(svc, head, limit=50)
        per_list = 1000 * (time.process_time() - before) / args.lists
    finally:
        b.drop_schema(schema)
    print(
        json.dumps(
            {
                "checkout": args.checkout or str(ROOT),
                "load": os.getloadavg()[0],
                "act_cpu_ms": per_action | {"(mean over the path)": round(mean, 3)},
                "list_of_50_cpu_ms": round(per_list, 3),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
