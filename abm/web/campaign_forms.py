"""The forms of the campaign pages and of the account plan (CSRF, validation messages)."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from abm.web.forms import options

LANGUAGE_CHOICES = options([("en", _l("English")), ("ru", _l("Russian"))])


def iso_date(value: object) -> date | None:
    """A date stored as ISO text in JSON (an offer, a plan's terms), or None."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


class NewCampaignForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    language = SelectField(_l("Default language"), choices=LANGUAGE_CHOICES)


class OfferForm(FlaskForm):
    """The campaign's name, language, control group and offer (what the manager approves)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    default_language = SelectField(_l("Default language"), choices=LANGUAGE_CHOICES)
    holdout_percent = DecimalField(_l("Held out as control group (%)"), places=None,
                                   validators=[InputRequired(), NumberRange(min=0, max=90)])
    title = StringField(_l("Offer"), validators=[Optional(), Length(max=300)])
    discount_percent = DecimalField(_l("Discount (%)"), places=None,
                                    validators=[Optional(), NumberRange(min=0, max=100)])
    bonus_percent = DecimalField(_l("Volume bonus (%)"), places=None,
                                 validators=[Optional(), NumberRange(min=0, max=100)])
    bonus_threshold = DecimalField(_l("Bonus on purchases above (12 months)"), places=None,
                                   validators=[Optional(), NumberRange(min=0, max=1e12)])
    payment_days = IntegerField(_l("Payment terms (days)"),
                                validators=[Optional(), NumberRange(min=0, max=3650)])
    price_list = StringField(_l("Price list"), validators=[Optional(), Length(max=200)])
    terms = TextAreaField(_l("Terms"), validators=[Optional(), Length(max=5000)])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    link = URLField(_l("Link to the offer"), validators=[Optional(), Length(max=2000),
                                                         URL(require_tld=False)])
    # A loyalty invitation's programme (choices: the programmes); empty: the only active one.
    programme_id = SelectField(_l("Loyalty programme"), choices=[], validate_choice=False,
                               coerce=lambda v: int(v) if str(v).isdigit() else None)

    # The offer's elements this form edits; other elements (an event's, set through
    # the API) are kept as they are.
    OFFER_FIELDS = ("title", "discount_percent", "bonus_percent", "bonus_threshold",
                    "payment_days", "price_list", "terms", "valid_until", "link",
                    "programme_id")

    def offer_data(self) -> dict:
        """The offer's elements as entered, as plain JSON (empty ones left out)."""
        data = {}
        for name in self.OFFER_FIELDS:
            value = getattr(self, name).data
            if isinstance(value, str):
                value = value.strip()
            elif isinstance(value, Decimal):
                value = float(value)
            elif isinstance(value, date):
                value = value.isoformat()
            if value not in (None, ""):
                data[name] = value
        return data


class TemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=2000)])
    html = TextAreaField(_l("HTML"), validators=[DataRequired(), Length(max=100_000)])
    text = TextAreaField(_l("Plain text"), validators=[DataRequired(), Length(max=100_000)])


class ScheduleForm(FlaskForm):
    mode = RadioField(_l("When"), choices=options([("now", _l("Now")),
                                                  ("at", _l("At a time")),
                                                  ("trigger", _l("On each occasion"))]),
                      default="now")
    trigger = SelectField(_l("Occasion"), choices=options([
        ("birthday", _l("A contact's birthday")),
        ("holiday", _l("A holiday or a date of the workspace (chosen with the audience)")),
        ("win_back", _l("An account at risk or lost (win-back)"))]), validators=[Optional()])
    # Local time in the workspace time zone (the page names it); stored in UTC.
    at = DateTimeLocalField(_l("Time"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                            validators=[Optional()])


class SendWindowForm(FlaskForm):
    """Working hours and days in each recipient's country; unticked: any time."""

    limited = BooleanField(_l("Send only in working hours, in each recipient's country"))
    start = TimeField(_l("From"), default=time(9), validators=[Optional()])
    end = TimeField(_l("Until"), default=time(18), validators=[Optional()])
    days = SelectMultipleField(_l("Working days"), coerce=int, default=[1, 2, 3, 4, 5],
                               widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput())  # choices: the locale's day names
    holidays = BooleanField(_l("Not on the country's public holidays"), default=True)

    def window(self) -> dict | None:
        """The window as the campaign stores it, or None for any time."""
        if not self.limited.data:
            return None
        return {"start": f"{self.start.data or time(9):%H:%M}",
                "end": f"{self.end.data or time(18):%H:%M}",
                "days": list(self.days.data or []), "holidays": bool(self.holidays.data)}


class TermForm(Form):
    """One term offered to an account (a row of the plan; an empty row is dropped)."""

    title = StringField(_l("Term"), validators=[Length(max=300)])
    discount_percent = DecimalField(_l("Discount (%)"), places=None,
                                    validators=[Optional(), NumberRange(min=0, max=100)])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])

    def validate_title(self, field) -> None:
        filled = self.discount_percent.data is not None or self.valid_until.data is not None
        if filled and not (field.data or "").strip():
            raise ValidationError(_l("A term needs a title."))


class PlanForm(FlaskForm):
    objectives = TextAreaField(_l("Objectives"), validators=[Optional(), Length(max=20000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20000)])
    terms = FieldList(FormField(TermForm), max_entries=50)

    def terms_data(self) -> list[dict]:
        """The filled-in terms as plain JSON objects."""
        kept = []
        for entry in self.terms.entries:
            term = entry.form
            if not (term.title.data or "").strip():
                continue
            row = {"title": term.title.data.strip()}
            if term.discount_percent.data is not None:
                row["discount_percent"] = float(term.discount_percent.data)
            if term.valid_until.data is not None:
                row["valid_until"] = term.valid_until.data.isoformat()
            kept.append(row)
        return kept
