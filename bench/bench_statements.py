"""SQL statements per use case on the hot path (one action = load, check, fold, append, write).

Counts the statements each call sends to a fresh SQLite database: registering a disclosure
request, two actions on it, and an action on an incident; then what each web or API
request costs besides its use case (the session's or the token's check) and the reads a
page or an API answer makes (a case's detail, a queue of open cases). Run it on two checkouts to see
whether a change adds work to every action::

    python bench/bench_statements.py
    python bench/bench_statements.py --show    # and each statement, shortened

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
from govflow.workflow.identity.providers import PasswordProof  # noqa: E402
from govflow.workflow.services import accounts, signin, tokens  # noqa: E402
from govflow.workflow.services.tokens import TokenRequest  # noqa: E402

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
    show = "--show" in sys.argv[1:]
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _u, sql, *_: sent.append(sql))

    def count(label: str, call: Callable[[], object]) -> object:
        sent.clear()
        result = call()
        print(f"{label:<32} {len(sent):3d} statements")
        for sql in sent if show else ():
            print("    " + " ".join(sql.split())[:160])
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

    admin_name, _ = accounts.bootstrap_admin(svc) or ("", "")
    admin = accounts.principal_for(svc, admin_name, "cli:bench")
    token = tokens.create_token(
        svc, admin, TokenRequest(name="bench", username="li.handler", days=30)
    ).token
    accounts.set_password(svc, admin, "li.handler", "Bench-secret-42", temporary=False)
    session = signin.login(
        svc, signin.local_passwords(svc), PasswordProof("li.handler", "Bench-secret-42")
    )
    head = services.principal_for(svc, "zhang.head", "cli:bench")
    count("authenticate_token (API)", lambda: tokens.authenticate_token(svc, token))
    count(
        "authenticate_session (page)", lambda: signin.authenticate_session(svc, session.session_id)
    )
    count("case_detail (request)", lambda: services.case_detail(svc, handler.as_reader(), str(ref)))
    count(
        "act_and_read (API: action + answer)",
        lambda: services.act_and_read(
            svc,
            ref=str(ref),
            action="assign",
            payload={"assignee": "li.handler"},
            principal=head,
        ),
    )
    count(
        "list_cases (open, 50)",
        lambda: services.list_cases(svc, handler.as_reader(), services.CaseFilter(), limit=50),
    )


if __name__ == "__main__":
    main()
