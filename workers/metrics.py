"""Prometheus metrics (SPEC E-4 observability): firings, deliveries, sweep time, lag."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

FIRINGS = Counter("govflow_firings", "Escalation rule firings recorded", ["level", "late", "kind"])
DELIVERIES = Counter(
    "govflow_deliveries", "Notification delivery attempts by outcome", ["channel", "status"]
)
SWEEP_SECONDS = Histogram(
    "govflow_sweep_seconds",
    "Duration of one sweep pass",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ESCALATION_LAG = Histogram(
    "govflow_escalation_lag_seconds",
    "From a rule's threshold to its firing",
    buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600, 86400),
)
DELIVERY_LATENCY = Histogram(
    "govflow_delivery_latency_seconds",
    "From a rule's threshold to the notification handed to its channel",
    buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600, 86400),
)
