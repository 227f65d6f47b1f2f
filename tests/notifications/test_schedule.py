"""The periodic jobs of notifications and reports are declared in the cron schedule."""

from importlib import import_module


def test_the_reminders_the_digest_and_the_monthly_report_are_scheduled():
    cron = import_module("workers.cron")
    entries = {path: expr for path, _queue, expr, _kw in cron.PERIODIC}
    assert entries["abm.accounts.jobs.remind_tasks_due"] == "0 6 * * *"
    # the digest after the reminders, so that tasks due today are in it
    assert entries["abm.delivery.jobs.send_notification_digests"] == "0 7 * * *"
    assert entries["abm.delivery.jobs.mail_kam_reports"].split()[2:4] == ["1", "*"]
    assert "abm.campaigns.jobs.mail_kam_reports" not in entries
    for path in entries:
        assert callable(cron._resolve(path))
