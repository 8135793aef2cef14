"""dramatiq actors. ``dramatiq govflow.workers.actors`` (what ``govflow worker`` runs) imports this.

Actors only carry work: each looks up the truth in the database and is idempotent, so
a message delivered twice, or lost and re-sent by the sweeper, does no harm.
"""

from __future__ import annotations

import dramatiq

from govflow.logs import configure_logging
from govflow.workers.broker import make_broker
from govflow.workers.channels import Channel, build_channels
from govflow.workers.delivery import RetryLater
from govflow.workers.delivery import deliver as deliver_one
from govflow.workflow.policy import NotificationSettings, load_settings
from govflow.workflow.services import Services

if dramatiq.broker.global_broker is None:
    dramatiq.set_broker(make_broker())

# Run as ``dramatiq govflow.workers.actors`` too, the worker processes log JSON lines at
# ``GOVFLOW_LOG_LEVEL`` like every other govflow process (and replace dramatiq's text lines).
configure_logging()


_runtime: dict[str, object] = {}
"""What the actors work with; built from the environment on first use unless configured."""


def configure(
    services: Services,
    channels: dict[str, Channel],
    settings: NotificationSettings | None = None,
) -> None:
    """Point the actors at given services and channels (the embedded runtime, tests), and at
    the notification settings the sweeper uses (``max_attempts``), if not those of the file."""
    _runtime.update(services=services, channels=channels)
    if settings is not None:
        _runtime["settings"] = settings


def _services() -> Services:
    if "services" not in _runtime:
        from govflow.app import build_services

        _runtime["services"] = build_services()
    return _runtime["services"]  # type: ignore[return-value]


def _channels() -> dict[str, Channel]:
    if "channels" not in _runtime:
        _runtime["channels"] = build_channels(load_settings().notifications)
    return _runtime["channels"]  # type: ignore[return-value]


def _settings() -> NotificationSettings:
    return _runtime.get("settings") or load_settings().notifications  # type: ignore[return-value]


@dramatiq.actor(
    queue_name="govflow",
    min_backoff=1_000,
    max_backoff=300_000,
    retry_when=lambda retries, exc: isinstance(exc, RetryLater) and retries < 20,
)
def deliver(delivery_id: int) -> None:
    deliver_one(_services(), delivery_id, _channels(), _settings())


ALL = [deliver]
