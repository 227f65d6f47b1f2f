"""Human, translated names for the stored enum values shown on the pages."""

from __future__ import annotations

import functools

from flask_babel import get_locale
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
                    "email": _l("Email"), "complaint": _l("Complaint"), "refusal": _l("Refusal"),
                    "note": _l("Note")},
    "alert": {"no_shipments": _l("No shipments"), "white_space": _l("Top assortment gap"),
              "decline_vs_previous": _l("Decline"), "decline_vs_last_year": _l("Below last year"),
              "terms_review_due": _l("Terms review due"),
              "overdue_receivable": _l("Overdue receivable"),
              "no_interaction": _l("No recent contact"),
              "no_visit": _l("No personal visit"),
              "competitor_silence": _l("Competitor's client not contacted")},
    "loss_action": {"lost": _l("Lost"), "won_back": _l("Won back")},
    "loss_reason": {"service_level": _l("Service level cut"), "quality": _l("Quality drop"),
                    "deadlines": _l("Missed deadlines"), "promises": _l("Promises not kept"),
                    "opinion_ignored": _l("The client's opinion ignored"),
                    "price": _l("Price"), "competitor": _l("Went to a competitor"),
                    "other": _l("Other")},
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
    "schedule_mode": {"now": _l("Now"), "at": _l("At a time"), "trigger": _l("On a trigger")},
    "campaign_outcome": {"clicked": _l("Clicked"), "opened": _l("Opened"), "sent": _l("Sent"),
                         "unsubscribed": _l("Unsubscribed"), "bounced": _l("Bounced"),
                         "not_sent": _l("Not sent"), "pending": _l("Waiting to be sent"),
                         "held_out": _l("Held out (control group)")},
    "outbox_state": {"pending": _l("Waiting"), "claimed": _l("Being sent"), "sent": _l("Sent"),
                     "failed": _l("Failed after retries"), "bounced": _l("Bounced"),
                     "refused": _l("Refused by the server"),
                     "undeliverable": _l("Not deliverable (address)"),
                     "suppressed": _l("Suppressed"), "capped": _l("Over the frequency cap"),
                     "invalid": _l("Not rendered (template)"),
                     "duplicate": _l("Address shared with another recipient")},
    "outbox_reason": {
        "template_error": _l("The template failed for this recipient"),
        "needs_smtputf8": _l("The address has non-Latin characters before the @ and the mail "
                             "server does not accept such addresses (no SMTPUTF8)"),
        "invalid_address": _l("The address cannot be written for sending"),
        "recipient_refused": _l("The recipient's mail server refused the address"),
        "sender_refused": _l("The mail server refused the sender"),
        "message_refused": _l("The mail server refused the message"),
        "temporary_failure": _l("Temporary failures outlasted every retry"),
        "unsubscribed": _l("Unsubscribed"), "bounced_before": _l("The address bounced before"),
        "no_consent": _l("No consent to marketing mail"), "no_address": _l("No email address"),
        "contact_cap": _l("Over the contact's frequency cap"),
        "account_cap": _l("Over the account's frequency cap"),
        "duplicate_address": _l("Another contact has the same address and gets the message")},
    "alert_status": {"open": _l("Open"), "acknowledged": _l("Acknowledged"),
                     "resolved": _l("Resolved")},
    "tender_outcome": {"pending": _l("Pending"), "won": _l("Won"), "lost": _l("Lost")},
    "audience_op": {"eq": _l("is"), "ne": _l("is not"), "in": _l("is one of"),
                    "not_in": _l("is none of"), "lt": _l("below"), "lte": _l("at most"),
                    "gt": _l("above"), "gte": _l("at least")},
    "audience_field": {
        "kind": _l("Customer or prospect"), "region": _l("Region"),
        "country": _l("Country"), "industry": _l("Industry"), "city": _l("City"),
        "owner": _l("Owner (KAM)"), "loyalty_member": _l("Member of the loyalty programme"),
        "loyalty_status": _l("Loyalty programme: invited, member or left"),
        "loyalty_programme": _l("Member of a loyalty programme"),
        "loyalty_tier": _l("Loyalty tier (members)"),
        "account": _l("Hand-picked accounts (ids)"), "category": _l("Qualitative category"),
        "contact_role": _l("Has a contact with a decision-making role"),
        "has_reachable_contact": _l("Has a contact who may receive marketing mail"),
        "key": _l("Key account (analytics)"), "dependency": _l("Dependency risk (analytics)"),
        "near_key": _l("Near-key account (analytics)"),
        "abc_xyz": _l("ABC-XYZ cell (analytics)"),
        "churn_state": _l("Churn state (analytics)"),
        "p_alive": _l("Probability of being active, latest fit (segmentation)"),
        "segment": _l("Segment in the latest run (segmentation)")},
    "gender": {"female": _l("Female"), "male": _l("Male")},
    "unreachable": {"no_consent": _l("No consent"), "unsubscribed": _l("Unsubscribed"),
                    "bounced": _l("Bounced"), "invalid_address": _l("No valid address")},
    "settings_group": {"workspace": _l("Workspace"),
                       "analytics": _l("Analytics: key accounts, monitoring, churn"),
                       "campaigns": _l("Campaigns and delivery"),
                       "segmentation": _l("Segmentation"),
                       "potential": _l("Potential (BG/NBD and Gamma-Gamma)"),
                       "contacts": _l("Contacts")},
    "offer_field": {"title": _l("Offer"), "discount_percent": _l("Discount (%)"),
                    "bonus_percent": _l("Volume bonus (%)"),
                    "bonus_threshold": _l("Bonus on purchases above (12 months)"),
                    "payment_days": _l("Payment terms (days)"), "price_list": _l("Price list"),
                    "terms": _l("Terms"), "valid_from": _l("Valid from"),
                    "valid_until": _l("Valid until"), "link": _l("Link to the offer"),
                    "details": _l("Details"), "occasion": _l("Occasion"), "tier": _l("Tier"),
                    "event_name": _l("Event"), "event_place": _l("Place"),
                    "event_date": _l("Date")},
    "run_status": {"queued": _l("Waiting for a worker"), "started": _l("Running"),
                   "finished": _l("Finished"), "failed": _l("Failed")},
    "refresh_step": {"labels": _l("Computing shares, flags and ABC-XYZ"),
                     "churn": _l("Judging churn"), "alerts": _l("Checking alert conditions"),
                     "storing": _l("Storing the figures"),
                     "done": _l("Analytics are up to date")},
    "loyalty_status": {"invited": _l("Invited"), "member": _l("Member"), "left": _l("Left")},
    "loyalty_rule": {"revenue": _l("By revenue"), "manual": _l("By hand")},
    "audit_action": {"login": _l("Signed in"), "login_failed": _l("Sign-in failed"),
                     "login_throttled": _l("Sign-in throttled"), "logout": _l("Signed out"),
                     "user_role_changed": _l("Role changed"), "user_created": _l("User created"),
                     "user_updated": _l("User changed"),
                     "api_token_created": _l("API token created"),
                     "api_token_revoked": _l("API token revoked"),
                     "campaign_approval": _l("Campaign approval"),
                     "template_edited": _l("Template edited"), "export": _l("Export"),
                     "campaign_send": _l("Campaign sending"), "import": _l("Import"),
                     "exchange_rate": _l("Exchange rate"),
                     "setting_changed": _l("Setting changed"),
                     "greeting_date": _l("Greeting date"),
                     "loyalty_programme_saved": _l("Loyalty programme saved"),
                     "loyalty_membership": _l("Loyalty membership changed"),
                     "loyalty_invited": _l("Invited to the loyalty programme"),
                     "loyalty_accepted": _l("Loyalty invitation accepted"),
                     "loyalty_tier_decided": _l("Loyalty tier decided"),
                     "price_added": _l("Price added"), "promotion_saved": _l("Promotion saved"),
                     "account.lost": _l("Account marked lost"),
                     "account.won_back": _l("Account won back")},
    "setting_choice": {"days": _l("days"), "weeks": _l("weeks"), "revenue": _l("revenue"),
                       "margin": _l("margin")},
    "import_field": {
        "external_id": _l("Code (external id)"), "name": _l("Name"), "kind": _l("Kind"),
        "industry": _l("Industry"), "country": _l("Country"), "region": _l("Region"),
        "city": _l("City"), "employees": _l("Employees"), "website": _l("Website"),
        "account": _l("Account code"), "account_name": _l("Account name"),
        "email": _l("Email"), "phone": _l("Phone"), "position": _l("Position"),
        "birthday": _l("Birthday"), "language": _l("Language"), "sku": _l("SKU"),
        "category": _l("Category"), "price": _l("Price"),
        "top_assortment": _l("Top assortment"), "document": _l("Document"),
        "line_no": _l("Line number"), "date": _l("Date"), "product_name": _l("Product name"),
        "quantity": _l("Quantity"), "revenue": _l("Revenue"), "margin": _l("Margin"),
        "currency": _l("Currency"), "issued_on": _l("Issued on"), "due_on": _l("Due on"),
        "amount": _l("Amount"), "paid_amount": _l("Paid amount"),
        "loyalty_programme": _l("Loyalty programme"), "loyalty_status": _l("Loyalty status"),
        "loyalty_tier": _l("Loyalty tier"), "current_supplier": _l("Current supplier"),
        "competitor_key_client": _l("A key client of that competitor"),
        "win_plan": _l("Plan to win it"), "role": _l("Role"),
        "marketing_consent": _l("Consent to marketing mail"),
        "consent_source": _l("Where the consent was given"),
        "consent_on": _l("Consent given on"),
        "gender": _l("Gender"), "valid_from": _l("Valid from"), "valid_to": _l("Valid to")},
    "language": {"en": _l("English"), "ru": _l("Russian")},
    "task_status": {"open": _l("Open"), "in_progress": _l("In progress"), "done": _l("Done"),
                    "cancelled": _l("Cancelled")},
}


def label(group: str, value: object) -> str:
    """The translated name of ``value`` (an enum or its value) in ``group``, else the value."""
    key = getattr(value, "value", value)
    if key not in LABELS.get(group, {}):
        return str(key)
    return _translated(str(get_locale()), group, key)


@functools.lru_cache(maxsize=1024)
def _translated(locale: str, group: str, key: str) -> str:
    # Called under ``locale``: a list page shows a label per row, and each lookup
    # through the translations costs more than the rest of the row.
    return str(LABELS[group][key])


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
