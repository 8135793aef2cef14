"""Running the workers: the sweep loop, and the embedded all-in-one process (``govflow run``).

Production runs ``govflow sweeper`` (one or more) and ``govflow worker`` processes against
PostgreSQL and Redis. The embedded default runs the same sweep and the same actor code in
one process: SQLite, dramatiq's in-process broker and a few worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import dramatiq
import structlog
from dramatiq.brokers.stub import StubBroker

from govflow.workers import actors
from govflow.workers.actors import install
from govflow.workers.channels import build_channels
from govflow.workers.sweeper import Enqueue, SweepReport, digests, sweep
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services import CalendarWatch, Services

log = structlog.get_logger(__name__)


def sweep_forever(
    svc: Services,
    enqueue: Enqueue,
    settings: NotificationSettings,
    stop: threading.Event,
    interval: float,
    on_report: Callable[[SweepReport], None] | None = None,
) -> None:
    """Sweep every ``interval`` seconds until ``stop`` is set (the day's digests too, once
    they are due); a failed sweep is retried. Each sweep starts on the newest calendar
    (``CalendarWatch``)."""
    watch = CalendarWatch(svc)
    while not stop.is_set():
        try:
            current = watch.current()
            report = sweep(current, enqueue, settings)
            digests(current, enqueue, settings)
            if on_report is not None:
                on_report(report)
        except Exception:  # the database may be restarting: log, wait, try again
            log.exception("sweep.failed")
        stop.wait(interval)


class Embedded:
    """Sweeper + in-process broker + worker threads, sharing one set of services."""

    def __init__(self, svc: Services, settings: NotificationSettings, threads: int = 2) -> None:
        self.svc, self.settings = svc, settings
        self.broker = install(StubBroker())
        actors.configure(svc, build_channels(settings), settings)
        self.worker = dramatiq.Worker(self.broker, worker_threads=threads)
        self.stop_event = threading.Event()

    def run(self, on_report: Callable[[SweepReport], None] | None = None) -> None:
        self.worker.start()
        try:
            sweep_forever(
                self.svc,
                actors.deliver.send,
                self.settings,
                self.stop_event,
                self.settings.sweep_interval_seconds,
                on_report,
            )
        finally:
            self.worker.stop()

    def stop(self) -> None:
        self.stop_event.set()
