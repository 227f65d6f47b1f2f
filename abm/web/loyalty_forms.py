"""The forms of the loyalty pages: a programme with its tiers, a membership, a decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from abm.loyalty.services import TierInput
from abm.web.forms import options


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    rule = SelectField(_l("Tiers are given"), choices=options([
        ("revenue", _l("By revenue over the period (proposed monthly, confirmed by a manager)")),
        ("manual", _l("By hand"))]))
    period_months = IntegerField(_l("Period (months)"), default=12,
                                 validators=[DataRequired(), NumberRange(min=1, max=60)])
    tiers = TextAreaField(
        _l("Tiers, lowest first: one a line, a name and its minimum revenue (silver: 100000)"),
        validators=[DataRequired(), Length(max=5000)])
    active = BooleanField(_l("Active"), default=True)

    def tier_inputs(self) -> list[TierInput]:
        """The tiers as entered; raises ValidationError naming the line that is wrong."""
        tiers = []
        for number, line in enumerate((self.tiers.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, _, amount = line.partition(":")
            try:
                minimum = float(amount.replace(" ", "").replace(",", ".")) if amount.strip() \
                    else None
            except ValueError:
                raise ValidationError(_l("Line %(n)s: %(value)s is not an amount", n=number,
                                         value=amount.strip())) from None
            tiers.append(TierInput(name.strip(), minimum))
        return tiers


class MembershipForm(FlaskForm):
    programme_id = IntegerField(validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=options([
        ("invited", _l("Invited")), ("member", _l("Member")), ("left", _l("Left"))]))
    tier = StringField(_l("Tier"), validators=[Optional(), Length(max=50)])


class DecisionForm(FlaskForm):
    decision = SelectField(choices=options([("confirm", _l("Confirm")),
                                            ("reject", _l("Reject"))]))
