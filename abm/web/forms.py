"""The forms of the account pages (Flask-WTF: CSRF, validation messages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) tuples
    SelectChoice = None


def options(pairs) -> list:
    """Select options from ``(value, label)`` pairs, in the form this WTForms expects."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class InteractionForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    occurred_at = DateTimeLocalField(_l("When"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                     validators=[DataRequired()])
    contact_id = SelectField(_l("Contact"), coerce=_optional_int, validators=[Optional()])
    text = TextAreaField(_l("Notes"), validators=[Length(max=5000)])


class TaskForm(FlaskForm):
    title = StringField(_l("Task"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=5000)])
    assignee_id = SelectField(_l("Assignee"), coerce=_optional_int, validators=[Optional()])
    due_on = DateField(_l("Due"), validators=[Optional()])


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


TRISTATE = options([("", _l("Unknown")), ("yes", _l("Yes")), ("no", _l("No"))])


def _tristate(value):
    return {"yes": True, "no": False, True: True, False: False}.get(value)


class DossierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=100)])
    country = StringField(_l("Country (ISO code)"), validators=[Optional(), Length(min=2, max=2)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=100)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(min=0)])
    website = StringField(_l("Website"), validators=[Optional(), URL(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    history = TextAreaField(_l("History"), validators=[Optional(), Length(max=20000)])
    structure = TextAreaField(_l("Structure"), validators=[Optional(), Length(max=20000)])
    competitors = TextAreaField(_l("Competitors on this account"),
                                validators=[Optional(), Length(max=20000)])
    current_supplier = StringField(_l("Current supplier"),
                                   validators=[Optional(), Length(max=300)])
    competitor_key_client = BooleanField(_l("A key client of that competitor"))
    win_plan = TextAreaField(_l("Plan to win it"), validators=[Optional(), Length(max=20000)])
    terms_reviewed_on = DateField(_l("Trade terms reviewed on"), validators=[Optional()])
    categories = MultiCheckboxField(_l("Categories"))
    has_need = SelectField(_l("Need for our product"), choices=TRISTATE, coerce=_tristate)
    can_pay = SelectField(_l("Ability to pay"), choices=TRISTATE, coerce=_tristate)
    has_authority = SelectField(_l("Authority to decide"), choices=TRISTATE, coerce=_tristate)
    owner_id = SelectField(_l("Owner"), coerce=_optional_int, validators=[Optional()])


class TenderForm(FlaskForm):
    title = StringField(_l("Tender"), validators=[DataRequired(), Length(max=300)])
    held_on = DateField(_l("Held on"), validators=[Optional()])
    outcome = SelectField(_l("Outcome"), validators=[DataRequired()])
    amount = DecimalField(_l("Amount"), places=None, validators=[Optional(), NumberRange(min=0)])
    reason = TextAreaField(_l("Why we won or lost"), validators=[Optional(), Length(max=5000)])
