"""Job functions for the queue tests (importable by a worker process)."""

from abm.runs.services import tracked


def add(a, b):
    return a + b


@tracked
def count_to(n, progress):
    for i in range(1, n + 1):
        progress(i, n, f"counted {i} of {n}")
    return {"counted": n}


@tracked
def fail(message, progress):
    raise ValueError(message)


@tracked
def hold(seconds, progress):
    """Run for ``seconds``: long enough for a test to kill the worker running it, or only the
    process running the job (its pid is in the job's meta)."""
    import os
    import time

    from rq import get_current_job

    job = get_current_job()
    if job is not None:
        job.meta["pid"] = os.getpid()
        job.save_meta()
    time.sleep(seconds)
    return {"held": seconds}
