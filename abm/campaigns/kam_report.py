"""The monthly key-account report mailed to each KAM: the figures of the accounts they own."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm import ROOT
from abm.accounts.models import Account
from abm.campaigns.context import account_contexts
from abm.campaigns.rendering import compile_template
from abm.delivery.messages import _b64, _header
from abm.users.models import User

TEMPLATE_DIR = ROOT / "templates" / "campaigns"


def _template(language: str):
    lang = language if (TEMPLATE_DIR / f"kam_report.{language}.txt").exists() else "en"
    read = lambda ext: (TEMPLATE_DIR / f"kam_report.{lang}.{ext}").read_text(encoding="utf-8")  # noqa: E731
    return compile_template(read("subject"), read("html"), read("txt"), lang)


def kam_report_contexts(session: Session, today: date) -> list[dict]:
    """One context per active user who owns accounts: {"kam", "month", "accounts"}."""
    owners: dict[int, list[int]] = {}
    for account_id, owner_id in session.execute(
            select(Account.id, Account.owner_id).where(Account.owner_id.is_not(None))):
        owners.setdefault(owner_id, []).append(account_id)
    contexts = account_contexts(session, [a for ids in owners.values() for a in ids], today)
    result = []
    for user in session.scalars(select(User).where(User.id.in_(owners), User.active.is_(True))
                                .order_by(User.id)):
        accounts = sorted(({"name": contexts[a]["account"]["name"], **contexts[a]["figures"]}
                           for a in owners[user.id]), key=lambda a: -a["revenue_12m"])
        result.append({"kam": {"name": user.name, "email": user.email},
                       "language": user.language or "en",
                       "month": today.strftime("%Y-%m"), "accounts": accounts})
    return result


def send_kam_reports(session: Session, transport, mail_from: str, today: date) -> int:
    """Mail each KAM their report; returns how many were accepted."""
    sent = 0
    for ctx in kam_report_contexts(session, today):
        rendered = _template(ctx["language"]).render(ctx)
        boundary = "abm-kam-report"
        data = (f"From: {mail_from}\r\nTo: {ctx['kam']['email']}\r\n"
                f"Subject: {_header(rendered.subject)}\r\nMIME-Version: 1.0\r\n"
                f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
                f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(rendered.text)}"
                f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(rendered.html)}--{boundary}--\r\n")
        outcome = transport.send(mail_from, ctx["kam"]["email"], data.encode("ascii"),
                                 name=f"kam-report/{ctx['month']}-{ctx['kam']['email']}")
        sent += outcome.ok
    return sent
