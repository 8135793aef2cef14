"""``govflow.workers``: the processes that run beside the front ends — the deadline sweeper,
the dramatiq actors that deliver notifications, their channels (log, e-mail, webhook),
metrics, and the embedded all-in-one runtime of ``govflow run``.

May import: ``govflow.workflow`` (the services) and ``govflow.models``; never a front end.
The dramatiq entry point (``govflow.workers.actors``) may build its services at the
composition root (``govflow.app``): a worker is a process of its own.
"""
