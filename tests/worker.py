"""Queued jobs run in a test the way `waymark worker` runs them (its periodic ticks aside): a
check-in queues the person's alert evaluation, and `run_jobs()` runs it, as the worker would."""

from __future__ import annotations

from waymark.jobs.worker import claim_next, run_job


def run_jobs(worker_id: str = "test-worker") -> int:
    """Run every due job, including any queued again meanwhile; how many runs there were."""
    ran = 0
    while (job := claim_next(worker_id)) is not None:
        run_job(job, worker_id)
        ran += 1
    return ran
