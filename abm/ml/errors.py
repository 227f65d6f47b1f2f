"""Why the data cannot support a model: a stable code, its parameters, an English sentence.

``str(error)`` is the English sentence (the API, the logs, a failed run keep it); the
``code`` and ``params`` (plain data: numbers and text) let the pages and the commands
say it in their reader's language (:mod:`abm.segments.wording`), which translate
:data:`MESSAGES` through the catalogue. Nothing here knows the catalogue or abm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate here"
    """Mark a message for the translation catalogue; the pages and commands translate it."""
    return message


MESSAGES = {
    # Segmentation
    "no_accounts": N_("no accounts with orders to segment: import sales first"),
    "short_history": N_("only %(months)s month(s) of sales history: segments need at least "
                        "%(minimum)s months"),
    "k_too_small": N_("k must be at least 2"),
    "fewer_accounts_than_k": N_("only %(accounts)s accounts with orders: fewer than the "
                                "k=%(k)s segments asked for"),
    "too_alike_for_k": N_("the accounts have only %(profiles)s distinct profiles: too alike "
                          "for k=%(k)s segments"),
    "identical": N_("all accounts look identical on the segment features: there is nothing "
                    "to segment"),
    # The purchase model (BG/NBD)
    "bad_shapes": N_("x, t_x and T must be one-dimensional arrays of the same length"),
    "no_customers": N_("no customers with purchases to fit the model on"),
    "inconsistent": N_("inconsistent histories: need x >= 0 and 0 <= t_x <= T"),
    "no_repeat": N_("no customer bought on a second day: purchase rates cannot be fit"),
    "same_history": N_("every customer has the same single history: nothing to fit"),
    "no_convergence": N_("the BG/NBD fit did not converge on this data"),
    # The spend model (Gamma-Gamma) and the customer lifetime value
    "spend_too_few": N_("too few repeat customers with different spend to fit the spend model"),
    "spend_no_convergence": N_("the spend model did not converge on this data"),
    "spend_no_mean": N_("the spend model has no finite mean (q <= 1) on this data"),
    "clv_horizon": N_("the CLV horizon must be at least one month"),
    "discount_rate": N_("the discount rate must be above -100%%"),
}


class DataError(ValueError):
    """The data cannot support what was asked: ``code`` (a key of :attr:`messages`) and the
    ``params`` of its sentence; ``str()`` is the sentence in English."""

    messages: ClassVar[Mapping[str, str]] = MESSAGES

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.messages[code] % params)

    def reason(self) -> dict[str, Any]:
        """The code and parameters as plain data (JSON), to be worded again later."""
        return {"code": self.code, "params": self.params}

    def as_data(self) -> dict[str, Any]:
        """What a failed run keeps of it besides the English message (see
        ``abm.runs.services.tracked``)."""
        return {"error_code": self.code, "error_params": self.params}

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.code, self.params)


def _rebuilt(cls: type[DataError], code: str, params: dict[str, Any]) -> DataError:
    return cls(code, **params)
