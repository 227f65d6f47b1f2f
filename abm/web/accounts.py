"""The accounts list, its CSV export and the account page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _

from abm.accounts import work
from abm.accounts.contacts import account_contacts
from abm.accounts.models import Category
from abm.accounts.services import can_edit_account, get_visible_account
from abm.analytics.account_list import (
    AccountFilters,
    filter_choices,
    iter_accounts,
    list_accounts,
)
from abm.analytics.account_orders import ORDERS
from abm.campaigns.outcomes import account_campaigns
from abm.campaigns.plans import can_edit_plan
from abm.db import get_session
from abm.sales.reads import monthly_revenue
from abm.users.services import list_users
from abm.web import account_filters, labels
from abm.web.auth import current_viewer, role_required
from abm.web.charts import bar_chart
from abm.web.csv_export import csv_response
from abm.web.forms import CommentForm, InteractionForm, TaskForm, options

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

EVERY_ROLE = ("manager", "marketing", "sales")  # admins always pass role_required
# The columns a click sorts by, and the direction of the first click: figures largest first.
SORTABLE = {"name": "name", "revenue": "-revenue", "share": "-share", "growth": "-growth",
            "churn": "-churn"}


def filters_from_request() -> AccountFilters:
    """The list's filters from the query string (unknown values are dropped)."""
    args = request.args
    owner = args.get("owner", "")
    owner_id = 0 if owner == "none" else (int(owner) if owner.isdigit() else None)
    return AccountFilters(
        q=args.get("q", ""), kind=args.get("kind", ""), owner_id=owner_id,
        region=args.get("region", ""), category=args.get("category", ""),
        competitor=args.get("competitor", ""),
        ids=account_filters.ids_for(get_session(), args), sort=args.get("sort", "name"),
    )


@bp.route("/")
@role_required(*EVERY_ROLE)
def index():
    session = get_session()
    viewer = current_viewer()
    filters = filters_from_request()
    after = request.args.get("after", "")
    page = list_accounts(session, viewer, filters, after=int(after) if after.isdigit() else None)
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template(
        "accounts/list.html",
        page=page, filters=filters, args=kept, choices=filter_choices(session, viewer),
        extra_filters=account_filters.choices(session, request.args),
        categories=[c.value for c in Category],
        next_url=url_for(".index", **kept, after=page.next_after) if page.next_after else None,
        first_url=url_for(".index", **kept) if after else None,
        export_url=url_for(".export", **kept),
        sort_options=sort_options(), sort_links=sort_links(kept, filters.sort),
    )


def sort_options() -> list[tuple[str, str]]:
    """The orders the "Sort by" field offers, (value, label); those analytics provides last."""
    options = [("name", _("Name, A to Z")), ("-name", _("Name, Z to A")), ("region", _("Region")),
               ("-revenue", _("Revenue, largest first")),
               ("revenue", _("Revenue, smallest first")),
               ("-share", _("Share, largest first")), ("share", _("Share, smallest first")),
               ("-growth", _("Growth, fastest first")), ("growth", _("Growth, slowest first")),
               ("-churn", _("Churn risk, highest first")),
               ("churn", _("Churn risk, lowest first")),
               ("-created", _("Newest first")), ("created", _("Oldest first"))]
    return [(value, text) for value, text in options if value in ORDERS]


def sort_links(kept: dict[str, Any], current: str) -> dict[str, dict]:
    """Per sortable column: the URL a click on its heading opens, and its aria-sort state.

    The first click sorts in the column's natural direction; a click on the
    column already sorted reverses it. The cursor is dropped: a new order starts
    on its first page.
    """
    links = {}
    for column, first in SORTABLE.items():
        if first not in ORDERS:
            continue
        reverse = first[1:] if first.startswith("-") else f"-{first}"
        target = reverse if current == first else first
        state = ("descending" if current.startswith("-") else "ascending") \
            if current.lstrip("-") == column else None
        links[column] = {"url": url_for(".index", **(kept | {"sort": target})), "state": state}
    return links


@bp.route("/export.csv")
@role_required(*EVERY_ROLE)
def export():
    viewer, filters = current_viewer(), filters_from_request()
    header = ["id", "external_id", "name", "kind", "region", "city", "industry", "owner",
              "categories", "revenue_12m", "share", "growth", "abc_xyz", "churn"]
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return csv_response(
        f"accounts-{stamp}.csv", header,
        lambda session: ([r.id, r.external_id or "", r.name, r.kind,
                          r.region or "", r.city or "", r.industry or "",
                          r.owner or "", " ".join(r.categories), round(r.revenue_12m, 2),
                          _blank(r.share), _blank(r.growth), r.cell or "",
                          r.churn or ""]
                         for r in iter_accounts(session, viewer, filters)),
    )


def _blank(value: float | None) -> float | str:
    return "" if value is None else value


def load_account(account_id: int):
    """The account the current user may see, or 404 (a refused account does not exist)."""
    account = get_visible_account(get_session(), account_id, current_viewer())
    if account is None:
        abort(404)
    return account


def load_editable_account(account_id: int):
    """The account the current user may edit: 404 if they cannot see it, 403 if only see it."""
    account = load_account(account_id)
    if not can_edit_account(account, current_viewer()):
        abort(403)
    return account


@bp.route("/<int:account_id>")
@role_required(*EVERY_ROLE)
def show(account_id: int):
    session = get_session()
    account = load_account(account_id)
    months = monthly_revenue(session, account.id)
    contacts = account_contacts(session, account.id)
    interaction_form = InteractionForm(prefix="interaction")
    interaction_form.kind.choices = interaction_kind_choices()
    interaction_form.contact_id.choices = contact_choices(contacts)
    if interaction_form.occurred_at.data is None:
        interaction_form.occurred_at.data = datetime.now(UTC).replace(second=0, microsecond=0,
                                                                      tzinfo=None)
    task_form = TaskForm(prefix="task")
    task_form.assignee_id.choices = assignee_choices()
    return render_template(
        "accounts/show.html",
        account=account, contacts=contacts, months=months,
        chart=bar_chart([m.revenue for m in months]),
        total_revenue=sum(m.revenue for m in months),
        interactions=work.interactions(session, account.id),
        tasks=work.account_tasks(session, account.id),
        interaction_form=interaction_form, task_form=task_form,
        comment_form=CommentForm(prefix="comment"),
        can_edit=can_edit_account(account, current_viewer()),
        campaigns=account_campaigns(session, account.id),
        can_edit_plan=can_edit_plan(account, current_viewer()),
        panels=account_filters.account_panels(session, account.id),
    )


def interaction_kind_choices() -> list:
    return options(labels.choices("interaction"))


def contact_choices(contacts) -> list:
    return options([("", "—")] + [(str(c.id), c.name) for c in contacts])


def assignee_choices() -> list:
    users = list_users(get_session(), active_only=True)
    return options([("", _("Nobody"))] + [(str(u.id), u.name) for u in users])
