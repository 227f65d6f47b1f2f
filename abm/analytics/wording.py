"""Alerts, churn reasons and an account's reasons worded in the reader's language, from
their codes and figures.

An alert is stored as its kind and its parameters (``Alert.details``), a churn
reason as ``{"code", "params"}``, an account's flags explained as an
:class:`~abm.analytics.explanations.Explanation`: nothing stored is a sentence, so
switching the language changes what existing alerts say. The web words them with the
request's translations and locale, the command line with its own; the API in English
(the default :class:`Words`). Flask is not needed: any ``gettext``-style
translations object (``babel.support.Translations``) will do.
"""

from __future__ import annotations

import gettext
from datetime import date
from typing import Any, Protocol

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from abm.analytics.models import AlertKind
from abm.currencies.formats import whole_units
from abm.workspace.refusals import N_

MORE_SKUS = 5  # products named in a white-space alert before "and N more"


class Translations(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class Words:
    """Translations and a locale: how a sentence and its numbers are written; amounts in
    ``currency`` (the workspace's), as plain numbers without one."""

    def __init__(self, translations: Translations | None = None, locale: str = "en",
                 currency: str | None = None) -> None:
        self.tr = translations or gettext.NullTranslations()
        self.locale = locale
        self.currency = currency

    def _(self, message: str, **params: Any) -> str:
        text = self.tr.gettext(message)
        return text % params if params else text

    def n(self, singular: str, plural: str, num: int, **params: Any) -> str:
        return self.tr.ngettext(singular, plural, num) % {"num": self.number(num, 0), **params}

    def number(self, value: float | None, digits: int = 2) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, pattern, locale=self.locale)

    def percent(self, fraction: float | None, digits: int | None = None,
                signed: bool = False) -> str:
        """A share (0.25) as a percentage: up to one decimal, or exactly ``digits``;
        ``signed``: +25%."""
        if fraction is None:
            return "—"
        decimals = ".#" if digits is None else "." + "0" * digits if digits else ""
        pattern = f"#,##0{decimals}%"
        return format_percent(fraction, f"+{pattern};-{pattern}" if signed else pattern,
                              locale=self.locale)

    def money(self, value: float | None) -> str:
        """An amount in whole units of the currency (a plain number without a currency)."""
        if value is None:
            return "—"
        if self.currency is None:
            return self.number(value, 0)
        return whole_units(value, self.currency, self.locale)

    def day(self, iso: str | date | None) -> str:
        if iso is None:
            return "—"
        day = iso if isinstance(iso, date) else date.fromisoformat(str(iso)[:10])
        return format_date(day, "medium", locale=self.locale)

    def month(self, label: str) -> str:
        """"2026-10" as "October 2026" in the locale (the standalone month name)."""
        return format_date(date.fromisoformat(label + "-01"), "LLLL y", locale=self.locale)

    def months(self, span: str) -> str:
        first, _sep, last = span.partition("..")
        return f"{self.month(first)} – {self.month(last)}" if last else self.month(first)


ENGLISH = Words()


def alert_text(kind: str, details: dict[str, Any] | None, words: Words = ENGLISH) -> str:
    """What an alert says, from its kind and stored parameters."""
    d = details or {}
    w = words
    try:
        return _ALERTS[AlertKind(kind)](d, w)
    except (KeyError, ValueError, TypeError):  # parameters of an older shape: say the kind
        return str(kind).replace("_", " ")


def _no_shipments(d: dict, w: Words) -> str:
    return w._("No shipments in %(month)s", month=w.month(d["month"]))


def _decline(against: str):
    def text(d: dict, w: Words) -> str:
        params = {"months": w.months(d["months"]), "fall": w.percent(-d["change"])}
        if against == "previous":
            return w._("Revenue %(months)s fell %(fall)s against the 3 months before", **params)
        return w._("Revenue %(months)s fell %(fall)s against the same months a year before",
                   **params)
    return text


def _white_space(d: dict, w: Words) -> str:
    skus = [m["sku"] for m in d["missing"]]
    shown = ", ".join(skus[:MORE_SKUS])
    if len(skus) > MORE_SKUS:
        shown = w._("%(skus)s and %(more)s more", skus=shown,
                    more=w.number(len(skus) - MORE_SKUS, 0))
    return w.n("Buys %(bought)s of %(num)s top-assortment product; not: %(skus)s",
               "Buys %(bought)s of %(num)s top-assortment products; not: %(skus)s",
               d["top_assortment"], bought=w.number(d["bought"], 0), skus=shown)


def _terms_review(d: dict, w: Words) -> str:
    if d.get("reviewed_on") is None:
        return w._("Trade terms have never been reviewed")
    return w._("Trade terms review due since %(due)s (last review %(reviewed)s)",
               due=w.day(d["due_on"]), reviewed=w.day(d["reviewed_on"]))


def _overdue(d: dict, w: Words) -> str:
    return w.n("Invoice %(document)s overdue by %(num)s day: %(amount)s %(currency)s outstanding",
               "Invoice %(document)s overdue by %(num)s days: %(amount)s %(currency)s "
               "outstanding", d["days_overdue"], document=d["document"],
               amount=w.number(d["outstanding"]), currency=d["currency"])


def _no_interaction(d: dict, w: Words) -> str:
    if d.get("last_interaction") is None:
        return w._("No interaction with this key account on record")
    return w.n("No interaction for %(num)s day (last on %(day)s)",
               "No interaction for %(num)s days (last on %(day)s)",
               d["days"], day=w.day(d["last_interaction"]))


def _no_visit(d: dict, w: Words) -> str:
    if d.get("last_visit") is None:
        return w._("No personal visit to this key account on record")
    return w.n("No personal visit for %(num)s day (last on %(day)s)",
               "No personal visit for %(num)s days (last on %(day)s)",
               d["days"], day=w.day(d["last_visit"]))


def _competitor_silence(d: dict, w: Words) -> str:
    competitor = d.get("competitor") or w._("a competitor")
    if d.get("last_interaction") is None:
        return w._("No interaction on record with this prospect, a key client of "
                   "%(competitor)s", competitor=competitor)
    return w.n("No interaction for %(num)s day with this prospect, a key client of "
               "%(competitor)s (last on %(day)s)",
               "No interaction for %(num)s days with this prospect, a key client of "
               "%(competitor)s (last on %(day)s)",
               d["days"], competitor=competitor, day=w.day(d["last_interaction"]))


_ALERTS = {
    AlertKind.NO_SHIPMENTS: _no_shipments,
    AlertKind.DECLINE_VS_PREVIOUS: _decline("previous"),
    AlertKind.DECLINE_VS_LAST_YEAR: _decline("last_year"),
    AlertKind.WHITE_SPACE: _white_space,
    AlertKind.TERMS_REVIEW_DUE: _terms_review,
    AlertKind.OVERDUE_RECEIVABLE: _overdue,
    AlertKind.NO_INTERACTION: _no_interaction,
    AlertKind.NO_VISIT: _no_visit,
    AlertKind.COMPETITOR_SILENCE: _competitor_silence,
}


def churn_reason_text(item: dict[str, Any] | str, words: Words = ENGLISH) -> str:
    """Why an account is at risk or lost, from a stored reason (code and figures); a reason
    stored as a sentence by an older version is shown as it is."""
    if isinstance(item, str):
        return item
    code, p = item.get("code"), item.get("params") or {}
    try:
        return _CHURN[str(code)](p, words)
    except (KeyError, ValueError, TypeError):
        return str(code).replace("_", " ")


def _rhythm(p: dict, w: Words) -> str:
    if p["how"] == "single":
        return w.n("a single purchase day, rhythm taken as %(num)s day",
                   "a single purchase day, rhythm taken as %(num)s days", round(p["rhythm"]))
    if p["how"] == "floor":
        return w.n("usual gap %(measured)s days, raised to the floor of %(num)s day",
                   "usual gap %(measured)s days, raised to the floor of %(num)s days",
                   round(p["rhythm"]), measured=w.number(p["measured"], 1))
    return w._("usual gap %(gap)s days", gap=w.number(p["rhythm"], 1))


def _silence(p: dict, w: Words) -> str:
    params = {"since": w.day(p["since"]), "ratio": w.number(p["ratio"]),
              "rhythm": _rhythm(p, w), "factor": w.number(p["factor"], 1)}
    if p.get("lost"):
        return w.n("silent %(num)s day since %(since)s: %(ratio)s × its rhythm (%(rhythm)s); "
                   "lost above %(factor)s ×",
                   "silent %(num)s days since %(since)s: %(ratio)s × its rhythm (%(rhythm)s); "
                   "lost above %(factor)s ×", p["days"], **params)
    return w.n("silent %(num)s day since %(since)s: %(ratio)s × its rhythm (%(rhythm)s); "
               "at risk above %(factor)s ×",
               "silent %(num)s days since %(since)s: %(ratio)s × its rhythm (%(rhythm)s); "
               "at risk above %(factor)s ×", p["days"], **params)


def _revenue_drop(p: dict, w: Words) -> str:
    return w._("revenue of the last 3 months %(last3)s is %(drop)s below the 3 months before "
               "(%(prev3)s); at risk above %(threshold)s", last3=w.number(p["last3"]),
               drop=w.percent(p["drop"]), prev3=w.number(p["prev3"]),
               threshold=w.percent(p["threshold"]))


def _signals(p: dict, w: Words) -> str:
    parts = [text for count, text in (
        (p["complaints"], w.n("%(num)s complaint", "%(num)s complaints", p["complaints"])),
        (p["refusals"], w.n("%(num)s refusal", "%(num)s refusals", p["refusals"])),
        (p["lost_tenders"], w.n("%(num)s lost tender", "%(num)s lost tenders",
                                p["lost_tenders"])),
    ) if count]
    recent = p["complaints"] + p["refusals"] + p["lost_tenders"]
    what = ", ".join(parts) if parts else w._("no complaints, refusals or lost tenders")
    text = w.n("%(what)s in the last %(num)s day", "%(what)s in the last %(num)s days",
               p["days"], what=what)
    if p.get("last_on") and recent:
        text += " " + w._("(the latest on %(day)s)", day=w.day(p["last_on"]))
    directions = {
        "rising": w.n("rising from %(num)s in as many days before",
                      "rising from %(num)s in as many days before", p["before"]),
        "falling": w.n("falling from %(num)s in as many days before",
                       "falling from %(num)s in as many days before", p["before"]),
        "steady": w._("as many as in as many days before"),
    }
    text += "; " + directions[p["direction"]]
    if recent >= p["threshold"]:
        text += "; " + w._("at risk from %(threshold)s", threshold=w.number(p["threshold"], 0))
    return text


def _at_stake(p: dict, w: Words) -> str:
    return w.n("at stake about %(at_stake)s a year: %(revenue)s over the %(num)s month from its "
               "first to its last purchase month",
               "at stake about %(at_stake)s a year: %(revenue)s over the %(num)s months from "
               "its first to its last purchase month", p["months"],
               at_stake=w.number(p["at_stake"]), revenue=w.number(p["revenue"]))


_CHURN = {
    "silence_lost": lambda p, w: _silence({**p, "lost": True}, w),
    "silence_at_risk": _silence,
    "revenue_drop": _revenue_drop,
    "signals": _signals,
    "at_stake": _at_stake,
}


MEASURES = {"revenue": N_("revenue"), "margin": N_("margin")}


def account_reason(code: str, params: dict[str, Any], words: Words = ENGLISH) -> str:
    """One reason behind an account's flags (an :class:`~abm.analytics.explanations.Explanation`:
    the account page's, a near-key account's in ``abm analytics alerts``)."""
    p, w = dict(params), words
    measure = p.get("measure")
    share = w._("%(share)s of %(total)s (%(measure)s)", share=w.percent(p.get("share"), 1),
                total=w.money(p.get("total")),
                measure=w._(MEASURES[measure]) if measure in MEASURES else measure)
    threshold = w.percent(p.get("threshold"), 0)
    if code in _FLAG_REASONS:
        return w._(_FLAG_REASONS[code], share=share, threshold=threshold)
    if code == "near_key":
        growth = p.get("growth")
        return w._("near-key: %(share)s, growth %(growth)s", share=share,
                   growth=w._("not known") if growth is None else w.percent(growth, 1, True))
    if code == "pareto_core":
        return w._("Pareto core: rank %(rank)s of %(accounts)s", rank=w.number(p.get("rank"), 0),
                   accounts=w.number(p.get("accounts"), 0))
    if code == "abc_xyz":
        cv = p.get("cv")
        return w._("ABC-XYZ %(cell)s: cumulative share through it %(cumulative)s, %(regularity)s",
                   cell=p.get("cell"), cumulative=w.percent(p.get("cumulative"), 1),
                   regularity=w._("no regular revenue") if cv is None else
                   w._("monthly revenue varies %(cv)s", cv=w.percent(cv, 1)))
    return code


_FLAG_REASONS = {
    "mono_client": N_("mono-client risk: %(share)s, at or above %(threshold)s"),
    "dependency": N_("dependency risk: %(share)s, above %(threshold)s"),
    "key": N_("key by share: %(share)s, at or above %(threshold)s"),
}
