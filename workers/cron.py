"""Periodic jobs, declared as data.

Run with ``python workers/cron.py`` (one process per installation), or with
``rq cron workers/cron.py --url $ABM_REDIS_URL``. The jobs themselves run in
the workers; this process only enqueues them on time.
"""

from __future__ import annotations

from rq import cron

# (dotted path of the job function, queue, cron expression, kwargs)
PERIODIC: list[tuple[str, str, str, dict]] = [
    ("abm.runs.jobs.prune_runs", "default", "30 3 * * *", {"keep_days": 90}),
    ("abm.imports.jobs.repair_aggregates", "imports", "*/5 * * * *", {}),
    # Nightly, as after an import: churn silences grow and alerts fall due with
    # the days alone, and on the 1st it stores the new month's key-account report.
    ("abm.analytics.jobs.refresh_analytics", "analytics", "0 4 * * *", {}),
    ("abm.segments.jobs.segment_accounts", "analytics", "0 5 1 * *", {}),
    # After the 1st's refresh: the month's tier changes, for a manager to confirm.
    ("abm.loyalty.jobs.propose_tiers", "analytics", "30 5 1 * *", {}),
    # Safety nets: the workers' maintenance does the same every few seconds
    # (abm.campaigns.jobs.maintain_campaigns), with no cron process running.
    ("abm.campaigns.jobs.sweep_outbox", "campaigns", "*/5 * * * *", {}),
    ("abm.campaigns.jobs.start_due_campaigns", "campaigns", "* * * * *", {}),
    ("abm.campaigns.jobs.scan_win_back", "campaigns", "0 6 * * *", {}),
    ("abm.campaigns.jobs.send_greetings", "campaigns", "0 7 * * *", {}),
    ("abm.delivery.jobs.mail_kam_reports", "default", "0 8 1 * *", {}),
    # Notifications: tasks due today in the inbox before the working day, then the
    # digest of what each user chose to receive by e-mail (one mail per user a day).
    ("abm.accounts.jobs.remind_tasks_due", "default", "0 6 * * *", {}),
    ("abm.delivery.jobs.send_notification_digests", "default", "0 7 * * *", {}),
]


def _resolve(path: str):
    from importlib import import_module

    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


for _path, _queue, _expr, _kwargs in PERIODIC:
    cron.register(_resolve(_path), _queue, kwargs=_kwargs, cron=_expr, name=_path)


if __name__ == "__main__":
    import logging

    from abm.app import create_app
    from abm.queue import get_redis

    app = create_app()
    scheduler = cron.create_cron(get_redis(app).connection)
    logging.basicConfig(level=logging.INFO)
    scheduler.start()
