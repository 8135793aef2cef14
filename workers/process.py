"""The entry point of ``govflow worker``: dramatiq's worker processes, logging like govflow.

dramatiq's own command line sets up plain-text logging at its ``--verbose`` level in the
parent and in each worker process. Here the JSON logging of every other govflow process is
set up first (``GOVFLOW_LOG_LEVEL``, secrets redacted) and dramatiq is told to leave logging
alone (``--skip-logging``); worker processes are forked and inherit it, writing through the
pipe dramatiq gives them as stderr. ``python -m govflow.workers.process <dramatiq args>``.
"""

from __future__ import annotations

import sys

from dramatiq.cli import main as dramatiq_main
from dramatiq.cli import make_argument_parser

from govflow.logs import configure_logging


def main(argv: list[str]) -> int:
    configure_logging()
    args = make_argument_parser().parse_args([*argv, "--skip-logging"])
    return int(dramatiq_main(args) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
