"""Notifications worded in the reader's language: a code and parameters become a sentence.

The words are gettext messages of the web catalogue. The web passes the request's
translations (Flask-Babel's ``get_translations()``); the digest job, which has no
request, loads the reader's language with :func:`translations_for`.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol

from babel.support import NullTranslations, Translations

from abm import ROOT
from abm.notifications.models import NotificationKind as K

TRANSLATIONS_DIR = ROOT / "abm" / "translations"


class Gettext(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


@functools.lru_cache(maxsize=8)
def translations_for(language: str | None) -> Gettext:
    """The message catalogue of ``language`` (English, the msgids, when there is none)."""
    if not language or language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language])


def _run(t: Gettext, p: dict[str, Any]) -> str:
    kind = str(p.get("kind", ""))
    failed = bool(p.get("failed"))
    if kind.startswith("import"):
        msg = (t.gettext("The import you started has failed") if failed
               else t.gettext("The import you started has finished"))
    elif kind.startswith("analytics"):
        msg = (t.gettext("The analytics refresh you started has failed") if failed
               else t.gettext("The analytics refresh you started has finished"))
    else:
        msg = (t.gettext("The job %(kind)s you started has failed") if failed
               else t.gettext("The job %(kind)s you started has finished"))
    return msg % {"kind": kind}


def _decided(t: Gettext, p: dict[str, Any]) -> str:
    if p.get("approved"):
        return t.gettext("The campaign “%(name)s” was approved") % p
    return t.gettext("The campaign “%(name)s” was rejected: %(reason)s") % {"reason": "", **p}


def _alerts(t: Gettext, p: dict[str, Any]) -> str:
    n = int(p.get("count", 0))
    return t.ngettext("%(num)d new alert on your accounts", "%(num)d new alerts on your accounts",
                      n) % {"num": n}


_WORDING = {
    K.TASK_ASSIGNED: lambda t, p: t.gettext(
        "%(by)s assigned you the task “%(title)s” on %(account)s") % {"by": "", **p},
    K.TASK_DUE: lambda t, p: t.gettext("The task “%(title)s” on %(account)s is due today") % p,
    K.APPROVAL_WAITING: lambda t, p: t.gettext(
        "The campaign “%(name)s” is waiting for your approval") % p,
    K.APPROVAL_DECIDED: _decided,
    K.ALERTS_RAISED: _alerts,
    K.RUN_FINISHED: _run,
}


def _request_settled(t: Gettext, p: dict[str, Any], r: dict[str, Any]) -> str:
    """A request for approval settled by a decision, a change or a cancellation."""
    code, by = r.get("code"), r.get("by")
    if not by:
        msg = t.gettext("The campaign “%(name)s” no longer waits for approval")
    elif code == "approved":
        msg = t.gettext("The campaign “%(name)s” was approved by %(by)s")
    elif code == "rejected":
        msg = t.gettext("The campaign “%(name)s” was rejected by %(by)s")
    elif code == "withdrawn":
        msg = t.gettext("The campaign “%(name)s” was changed by %(by)s and no longer waits "
                        "for approval")
    elif code == "cancelled":
        msg = t.gettext("The campaign “%(name)s” was cancelled by %(by)s")
    else:
        msg = t.gettext("The campaign “%(name)s” no longer waits for approval")
    return msg % {**p, "by": by}


# How a resolved notification reads: what settled it rather than what it asked.
_RESOLVED = {K.APPROVAL_WAITING: _request_settled}


def kind_label(t: Gettext, kind: str) -> str:
    """What a kind is called where a user chooses which come by e-mail."""
    labels = {
        K.TASK_ASSIGNED: t.gettext("A task assigned to me"),
        K.TASK_DUE: t.gettext("A task of mine due today"),
        K.APPROVAL_WAITING: t.gettext("A campaign waiting for approval"),
        K.APPROVAL_DECIDED: t.gettext("A decision on a campaign I sent for approval"),
        K.ALERTS_RAISED: t.gettext("New alerts on my accounts"),
        K.RUN_FINISHED: t.gettext("An import or a refresh I started finished"),
    }
    return next((text for k, text in labels.items() if k.value == kind), kind)


def render(t: Gettext, kind: str, params: dict[str, Any],
           resolution: dict[str, Any] | None = None) -> str:
    """The sentence of one notification; a parameter missing from old data does not break it.

    A resolved one (``resolution`` given) says how it was settled, when its kind words that.
    """
    try:
        if resolution is not None and K(kind) in _RESOLVED:
            return _RESOLVED[K(kind)](t, params, resolution)
        return _WORDING[K(kind)](t, params)
    except (ValueError, KeyError, TypeError):
        return kind
