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
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services import CalendarWatch, Services

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
    _runtime.update(services=services, channels=channels, watch=CalendarWatch(services))
    if settings is not None:
        _runtime["settings"] = settings


def _services() -> Services:
    """The services for one message, on the newest calendar (``CalendarWatch``)."""
    if "services" not in _runtime:
        # This module is the dramatiq entry point (``dramatiq govflow.workers.actors``): a
        # worker process builds its services here, at the composition root, on first use.
        from govflow.app import build_services

        built = build_services()
        _runtime.update(services=built, watch=CalendarWatch(built))
    watch: CalendarWatch = _runtime["watch"]  # type: ignore[assignment]
    return watch.current()


def _channels() -> dict[str, Channel]:
    if "channels" not in _runtime:
        _runtime["channels"] = build_channels(_settings())
    return _runtime["channels"]  # type: ignore[return-value]


def _settings() -> NotificationSettings:
    settings = _runtime.get("settings")
    return settings or _services().config.settings.notifications  # type: ignore[return-value]


@dramatiq.actor(
    queue_name="govflow",
    min_backoff=1_000,
    max_backoff=300_000,
    retry_when=lambda retries, exc: isinstance(exc, RetryLater) and retries < 20,
)
def deliver(delivery_id: int) -> None:
    deliver_one(_services(), delivery_id, _channels(), _settings())


ALL = [deliver]


def install(broker: dramatiq.Broker) -> dramatiq.Broker:
    """Make ``broker`` the one our actors send to and are consumed from."""
    dramatiq.set_broker(broker)
    for actor in ALL:
        actor.broker = broker
        broker.declare_actor(actor)
    return broker
