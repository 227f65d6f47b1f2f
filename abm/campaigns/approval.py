"""The one rule that says whether a campaign needs a manager's approval, and why.

Volume bonuses and individual terms go out only after management approval
(DOMAIN.md), whatever the campaign is called: the rule reads what the offer
gives (see :mod:`abm.campaigns.offers`), not the campaign's kind alone. Reasons
are codes with parameters, so that every page words them in its own language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from abm.analytics.wording import Words
from abm.campaigns.models import Campaign, CampaignKind
from abm.campaigns.offers import OfferTerms, offer_terms
from abm.campaigns.settings import CampaignSettings
from abm.workspace.services import settings_of

# Kinds that are about bonuses or terms by their nature: they wait for a manager
# even before their offer says what the bonus or the terms are.
APPROVED_KINDS = (CampaignKind.VOLUME_BONUS, CampaignKind.INDIVIDUAL_TERMS)

KIND = "kind"
VOLUME_BONUS = "volume_bonus"
PAYMENT_TERMS = "payment_terms"
FREE_TERMS = "free_terms"
DISCOUNT = "discount"


@dataclass(frozen=True)
class ApprovalReason:
    """Why a campaign needs approval: a code and the figures that go with it."""

    code: str
    params: dict = field(default_factory=dict)

    def text(self) -> str:
        """The reason in English (the API, the CLI and error messages)."""
        p = self.params
        if self.code == KIND:
            return f"{p['kind'].replace('_', ' ')} campaigns need management approval"
        if self.code == VOLUME_BONUS:
            above = f" above {p['threshold']:g}" if p.get("threshold") else ""
            return f"a volume bonus of {p['percent']:g}% of purchases{above}"
        if self.code == PAYMENT_TERMS:
            return f"individual payment terms of {p['days']} days"
        if self.code == FREE_TERMS:
            return "terms written out in the offer"
        return f"a discount of {p['percent']:g}% is above the {p['threshold']:g}% threshold"

    def as_dict(self) -> dict:
        return {"code": self.code, "params": self.params, "text": self.text()}


def worded(reason: dict, words: Words, kind_name: Callable[[str], str] = str) -> str:
    """A reason (:meth:`ApprovalReason.as_dict`) in the reader's language, for the pages and the
    commands alike; ``kind_name`` names a campaign kind (the pages by its label)."""
    code, p = reason["code"], reason.get("params") or {}
    if code == KIND:
        return words._("%(kind)s campaigns need management approval",
                       kind=kind_name(p.get("kind", "")))
    if code == VOLUME_BONUS:
        if p.get("threshold"):
            return words._("a volume bonus of %(percent)s of purchases above %(threshold)s",
                           percent=words.percent(p["percent"] / 100),
                           threshold=words.money(p["threshold"]))
        return words._("a volume bonus of %(percent)s of purchases",
                       percent=words.percent(p["percent"] / 100))
    if code == PAYMENT_TERMS:
        return words.n("individual payment terms of %(num)s day",
                       "individual payment terms of %(num)s days", p["days"])
    if code == FREE_TERMS:
        return words._("terms written out in the offer")
    if code == DISCOUNT:
        return words._("a discount of %(percent)s is above the %(threshold)s threshold",
                       percent=words.percent(p["percent"] / 100),
                       threshold=words.percent(p["threshold"] / 100))
    return reason.get("text") or code


def reasons_for(kind: str, terms: OfferTerms, threshold: float) -> list[ApprovalReason]:
    """Why an offer of this kind needs approval under this discount threshold (empty: it
    does not). Any volume bonus, any payment terms, any free-text terms, or a discount
    above the threshold needs it, whatever the kind."""
    reasons = []
    if kind in APPROVED_KINDS:
        reasons.append(ApprovalReason(KIND, {"kind": CampaignKind(kind).value}))
    if terms.has_bonus:
        reasons.append(ApprovalReason(VOLUME_BONUS, {"percent": terms.bonus_percent,
                                                     "threshold": terms.bonus_threshold or 0}))
    if terms.payment_days is not None:
        reasons.append(ApprovalReason(PAYMENT_TERMS, {"days": terms.payment_days}))
    if terms.terms:
        reasons.append(ApprovalReason(FREE_TERMS))
    if terms.discount_percent is not None and terms.discount_percent > threshold:
        reasons.append(ApprovalReason(DISCOUNT, {"percent": terms.discount_percent,
                                                 "threshold": threshold}))
    return reasons


def approval_reasons(session: Session, campaign: Campaign) -> list[ApprovalReason]:
    """Why the campaign needs a manager's approval before scheduling (empty: it does not)."""
    threshold = settings_of(session, CampaignSettings).discount_approval_threshold
    return reasons_for(campaign.kind.value, offer_terms(campaign), threshold)
