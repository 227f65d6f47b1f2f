"""The account page's potential panel: each figure with a one-line "why" a marketer can read.

The figures come from two domains (the stored potential fit of ``segments``, the
account's own rhythm of ``sales``); this module only puts them in words, in the
user's language and locale.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from abm.sales.reads import OrderRhythm
from abm.segments.reads import PotentialFigures, SegmentOfAccount
from abm.segments.wording import segment_name
from abm.web.i18n import day, money, number, percent

UNIT_DAYS = {"days": 1.0, "weeks": 7.0}
MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the panel: what, how much, and why (all formatted for the user)."""

    key: str
    label: str
    value: str
    why: str


def potential_figures(
    potential: PotentialFigures | None,
    rhythm: OrderRhythm | None,
    segment: SegmentOfAccount | None,
) -> list[Figure]:
    """The lines of the panel, those the data allows, in reading order."""
    figures: list[Figure] = []
    if potential is not None and potential.kind == "customer" and potential.p_alive is not None:
        figures += _customer_figures(potential)
    if rhythm is not None and rhythm.next_expected is not None:
        figures.append(Figure(
            "next_order", _("Expected next order"), day(rhythm.next_expected),
            _("Last order on %(last)s plus the median gap of %(gap)s between its "
              "%(n)s purchase days.", last=day(rhythm.last_order),
              gap=ngettext("%(num)s day", "%(num)s days", rhythm.median_gap_days or 0),
              n=number(rhythm.purchase_days))))
    if potential is not None and potential.kind == "customer" and potential.clv is not None:
        figures.append(_clv(potential))
    if segment is not None:
        parts = segment.explanation.get("parts", []) if segment.explanation else []
        figures.append(Figure(
            "segment", _("Segment"), segment_name(segment.name),
            _("Named for the centre of its segment: %(features)s.",
              features="; ".join(_feature(p) for p in parts) or "—")))
    return figures


def _feature(part: dict) -> str:
    """A part of a segment's name as the feature and figure behind it, translated."""
    name, value = part.get("feature"), part.get("value")
    if name == "revenue_share":
        return _("each account has at least %(share)s of revenue (key accounts are set apart)",
                 share=percent(value, 0))
    return f"{feature_label(str(name))} {feature_value(str(name), value)}"


def feature_label(name: str) -> str:
    """A segment feature's name in the user's language (the feature's own name if unknown)."""
    labels = {
        "revenue_12m": _("revenue, last 12 months"),
        "margin_rate": _("margin as a share of revenue"),
        "active_months_12m": _("months with purchases, last 12"),
        "purchase_days_12m": _("purchase days, last 12 months"),
        "recency_months": _("months since the last purchase"),
        "tenure_months": _("months since the first purchase"),
        "trend": _("revenue trend"),
        "top_share": _("share of top-assortment products"),
        "clv_12m": _("customer lifetime value"),
        "p_alive": _("probability still buying"),
        "revenue_share": _("share of revenue"),
    }
    return labels.get(name, name)


def feature_value(name: str, value: float | None) -> str:
    """A segment feature's figure in the user's locale: money, months, shares as percents."""
    if name in ("revenue_12m", "clv_12m"):
        return money(value)
    if name == "trend":
        return percent(value, 0, signed=True)
    if name in ("margin_rate", "top_share", "p_alive", "revenue_share"):
        return percent(value, 0)
    return number(value, 1)


def _customer_figures(p: PotentialFigures) -> list[Figure]:
    unit = UNIT_DAYS.get(p.unit, 1.0)
    silent = max((p.age or 0) - (p.recency or 0), 0) * unit
    tenure = (p.age or 0) * unit
    repeat = int(p.frequency or 0)
    alive = Figure(
        "p_alive", _("Probability still buying"), percent(p.p_alive),
        _("%(repeat)s; no purchase in the last %(silent)s of its %(tenure)s as a customer: "
          "the longer a silence against its usual pace, the lower.",
          repeat=ngettext("%(num)s repeat purchase day", "%(num)s repeat purchase days", repeat),
          silent=ngettext("%(num)s day", "%(num)s days", round(silent)),
          tenure=ngettext("%(num)s day", "%(num)s days", round(tenure))))
    months = tenure / MONTH_DAYS
    rate = (repeat + 1) / months if months > 0 else 0.0
    soon = Figure(
        "purchases_90d", _("Expected purchases, next 90 days"), number(p.purchases_90d, 1),
        _("Its pace so far (%(rate)s purchase days a month) times the chance it still "
          "buys (%(alive)s).", rate=number(rate, 1), alive=percent(p.p_alive)))
    return [alive, soon] if p.purchases_90d is not None else [alive]


def _clv(p: PotentialFigures) -> Figure:
    return Figure(
        "clv", _("Customer lifetime value, %(months)s months", months=p.clv_months),
        money(p.clv),
        _("Purchases expected month by month over %(months)s months, at %(spend)s each, "
          "discounted at %(rate)s a year.", months=p.clv_months, spend=money(p.expected_spend),
          rate=percent(p.discount_rate, 0)))
