"""Human, translated names for the stored enum values shown on the pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS: dict[str, dict[str, object]] = {
    "role": {"admin": _l("Administrator"), "manager": _l("Manager"),
             "marketing": _l("Marketing"), "sales": _l("Sales / KAM")},
    "kind": {"customer": _l("Customer"), "prospect": _l("Prospect")},
    "category": {"breadwinner": _l("Breadwinner"), "prospective": _l("Prospective"),
                 "image": _l("Image"), "demanding": _l("Demanding / expert"),
                 "innovator": _l("Advanced / innovator"), "loyal": _l("Understanding / loyal")},
    "contact_role": {"owner": _l("Owner"), "purchasing": _l("Purchasing"),
                     "warehouse": _l("Warehouse"), "logistics": _l("Logistics"),
                     "accounting": _l("Accounting"), "technical": _l("Technical expert"),
                     "other": _l("Other")},
    "interaction": {"call": _l("Call"), "meeting": _l("Meeting"), "visit": _l("Visit"),
                    "email": _l("Email"), "complaint": _l("Complaint"), "note": _l("Note")},
    "alert": {"no_shipments": _l("No shipments"), "white_space": _l("Top assortment gap"),
              "decline_vs_previous": _l("Decline"), "decline_vs_last_year": _l("Below last year"),
              "terms_review_due": _l("Terms review due"),
              "overdue_receivable": _l("Overdue receivable"),
              "no_interaction": _l("No recent contact")},
    "churn": {"active": _l("Active"), "at_risk": _l("At risk"), "lost": _l("Lost")},
    "flag": {"key": _l("Key account"), "dependency": _l("Dependency risk"),
             "mono_client": _l("Mono-client risk"), "near_key": _l("Near-key"),
             "pareto_core": _l("Pareto core")},
    "campaign_kind": {"personal_offer": _l("Personal offer"),
                      "loyalty_invitation": _l("Loyalty invitation"),
                      "win_back": _l("Win-back"), "greeting": _l("Greeting"),
                      "event_invitation": _l("Event invitation"), "promotion": _l("Promotion"),
                      "volume_bonus": _l("Volume bonus"),
                      "individual_terms": _l("Individual terms")},
    "campaign_status": {"draft": _l("Draft"), "pending_approval": _l("Awaiting approval"),
                        "approved": _l("Approved"), "rejected": _l("Rejected"),
                        "scheduled": _l("Scheduled"), "sending": _l("Sending"),
                        "done": _l("Done"), "cancelled": _l("Cancelled")},
    "run_status": {"queued": _l("Waiting for a worker"), "started": _l("Running"),
                   "finished": _l("Finished"), "failed": _l("Failed")},
    "task_status": {"open": _l("Open"), "in_progress": _l("In progress"), "done": _l("Done"),
                    "cancelled": _l("Cancelled")},
}


def label(group: str, value: object) -> str:
    """The translated name of ``value`` (an enum or its value) in ``group``, else the value."""
    key = getattr(value, "value", value)
    return str(LABELS.get(group, {}).get(key, key))


def choices(group: str) -> list[tuple[str, str]]:
    """``(value, translated name)`` pairs of a group, for select fields."""
    return [(key, str(text)) for key, text in LABELS[group].items()]


def hhi_level(hhi: float) -> str:
    """The usual antitrust reading of the Herfindahl-Hirschman index (0 to 10,000)."""
    if hhi < 1500:
        return str(_l("unconcentrated"))
    if hhi <= 2500:
        return str(_l("moderately concentrated"))
    return str(_l("highly concentrated"))
