"""Launch an RQ worker with the scheduler on every abm queue: ``python workers/worker.py``."""

from abm.app import create_app
from abm.cli import worker_maintenance
from abm.queue import run_worker

if __name__ == "__main__":
    run_worker(create_app(), maintenance=worker_maintenance())
