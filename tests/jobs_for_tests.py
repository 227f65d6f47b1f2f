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
