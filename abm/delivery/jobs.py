"""Mail the application sends its own users: the daily notification digest, the KAM report.

Campaign mail has its own jobs in :mod:`abm.campaigns.jobs`; these go through
the same transport (SMTP, or the outbox folder when no server is set).
"""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from abm.analytics.kam_report import kam_report, kams_to_mail, mailed_kams, record_mailing
from abm.analytics.periods import last_full_month
from abm.db import get_session
from abm.delivery.mail import team_message
from abm.delivery.transport import Transport, TransportError, make_transport
from abm.notifications.digest import compose, due_digests, record_digest


def send_notification_digests(day: date | None = None) -> dict:
    """Daily: one mail per user with the notifications they chose; a rerun sends none twice.

    Each digest is recorded and committed right after the transport accepts it; a
    refused one is rolled back and tried again by the next run of the day.
    """
    settings = current_app.extensions["abm.settings"]
    session = get_session()
    day = day or date.today()
    inbox_url = settings.public_url.rstrip("/") + "/notifications/"
    transport = make_transport(settings.smtp_url, settings.outbox_path)
    sent = failed = 0
    try:
        for digest in due_digests(session, day):
            body = compose(digest, inbox_url)
            record_digest(session, digest)
            if _deliver(session, transport, settings.mail_from, digest.email, body.subject,
                        body.text, body.html, f"digests/{day.isoformat()}-{digest.user_id}"):
                sent += 1
            else:
                failed += 1
    finally:
        transport.close()
        session.rollback()
    return {"sent": sent, "failed": failed}


def mail_kam_reports(today: date | None = None) -> dict:
    """Monthly (on the 1st): each KAM gets their report of the month just ended, once a month.

    The report is rendered in the KAM's language from the page's own templates; a
    KAM whose report of that month was mailed is skipped, so a rerun sends nothing.
    """
    settings = current_app.extensions["abm.settings"]
    session = get_session()
    today = today or date.today()
    month = last_full_month(today)
    base = settings.public_url.rstrip("/")
    transport = make_transport(settings.smtp_url, settings.outbox_path)
    sent = failed = 0
    try:
        done = mailed_kams(session, month)
        for kam_id in kams_to_mail(session):
            report = kam_report(session, kam_id, today)
            if kam_id in done or report is None or not report.accounts:
                continue
            url = f"{base}/reports/kam/{kam_id}?today={today.isoformat()}"
            with force_locale(report.language):
                subject = _("KAM report: %(name)s", name=report.kam_name)
                text = render_template("reports/kam_mail.txt", report=report, url=url)
                html = render_template("reports/kam_mail.html", report=report, url=url,
                                       links=False)
            record_mailing(session, kam_id, month)
            if _deliver(session, transport, settings.mail_from, report.kam_email,
                        f"{subject} ({month.isoformat()[:7]})", text, html,
                        f"kam-reports/{month.isoformat()[:7]}-{kam_id}"):
                sent += 1
            else:
                failed += 1
    finally:
        transport.close()
        session.rollback()
    return {"sent": sent, "failed": failed}


def _deliver(session: Session, transport: Transport, mail_from: str, to: str, subject: str,
             text: str, html: str, name: str) -> bool:
    """Send one mail to a user and keep what records it only if the transport took it:
    a refused or failed mail is rolled back, so the next run sends it again."""
    try:
        outcome = transport.send(mail_from, to, team_message(mail_from, to, subject, text, html),
                                 name=name)
    except TransportError:
        outcome = None
    if outcome is not None and outcome.ok:
        session.commit()
        return True
    session.rollback()
    return False
