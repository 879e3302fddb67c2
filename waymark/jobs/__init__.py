"""Background work without a broker: jobs and periodic ticks claimed from the database by
`waymark worker` (see docs/architecture.md, "Background jobs").

Another area adds its own work with one import and one call, usually in its AppConfig.ready():

    from waymark.jobs import register, register_tick

    register("clinic.alert", evaluate_one_alert)             # a job kind, queued with enqueue()
    register_tick("clinic.alerts", 300, evaluate_alerts)     # runs about every 5 minutes

Work that reads data a write changes is queued again by that write, in its transaction:
`enqueue(kind, key, again=True)` (or `requeue` for many keys at once; `requeue_statements`
for a write that sends its statements together).
"""

from waymark.jobs.registry import (
    Retry,
    Statement,
    enqueue,
    register,
    register_tick,
    requeue,
    requeue_statements,
)

__all__ = [
    "Retry",
    "Statement",
    "enqueue",
    "register",
    "register_tick",
    "requeue",
    "requeue_statements",
]
