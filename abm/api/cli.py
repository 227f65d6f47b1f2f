"""``abm api-token``: issue, list and revoke API tokens from the command line.

The API creates tokens only for a caller that already has one; the first
token of a user comes from here (or from an administrator).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from abm.audit.services import COMMAND_LINE


@click.group("api-token")
def api_token() -> None:
    """API tokens: per user, shown once, stored hashed, revocable."""


def _user(session, email: str):
    from abm.users.models import User

    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.UsageError(_("no user with the email %(email)s", email=email))
    return user


@api_token.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'CRM sync'.")
@click.option("--days", type=click.IntRange(1, 3650), help="Expire after this many days.")
@with_appcontext
def create(email: str, name: str, days: int | None) -> None:
    """Issue a token acting as the user EMAIL; it is printed once, never stored in clear."""
    from abm.db import get_session
    from abm.users.tokens import expires_after, issue_token

    session = get_session()
    _, secret = issue_token(session, _user(session, email).id, name,
                            expires_at=expires_after(days), by=COMMAND_LINE)
    session.commit()
    click.echo(secret)


@api_token.command("list")
@click.argument("email")
@with_appcontext
def list_(email: str) -> None:
    """The user's tokens: id, name, first characters, state."""
    from abm.db import get_session
    from abm.users.tokens import list_tokens

    session = get_session()
    for row in list_tokens(session, _user(session, email).id):
        state = _("active") if row.active else (_("revoked") if row.revoked_at else _("expired"))
        click.echo(f"{row.id}\t{row.name}\t{row.shown}…\t{state}")


@api_token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke(token_id: int) -> None:
    """Revoke the token TOKEN_ID (see ``list``)."""
    from abm.db import get_session
    from abm.users.tokens import get_token, revoke_token

    session = get_session()
    row = get_token(session, token_id)
    if row is None:
        raise click.UsageError(_("no token with the id %(id)s", id=token_id))
    revoke_token(session, row, by=COMMAND_LINE)
    session.commit()
    click.echo(_("revoked token %(id)s", id=token_id))
