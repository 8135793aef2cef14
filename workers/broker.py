"""The dramatiq broker: Redis in production, an in-process stub for the embedded default.

``GOVFLOW_BROKER_URL`` (``redis://…``) selects Redis. The heartbeat and maintenance are
tuned so that messages held by a dead worker come back within about half a minute, not
the several minutes of dramatiq's defaults: a worker is presumed dead after 20 s without
a heartbeat, and one broker command in four runs the maintenance that requeues its work
(with one in ten, an idle worker polling about once a second took up to 40 s in tests).
"""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

HEARTBEAT_TIMEOUT_MS = 20_000
MAINTENANCE_CHANCE = 250_000  # out of dramatiq's 1,000,000


def make_broker(url: str | None = None) -> dramatiq.Broker:
    url = url if url is not None else os.environ.get("GOVFLOW_BROKER_URL")
    broker: dramatiq.Broker = StubBroker()
    if url:
        broker = RedisBroker(
            url=url,
            heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
            maintenance_chance=MAINTENANCE_CHANCE,
        )
    if os.environ.get("GOVFLOW_WORKER_METRICS"):  # set by `govflow worker --metrics-port`
        from dramatiq.middleware.prometheus import Prometheus

        broker.add_middleware(Prometheus())
    return broker
