"""Adding and editing the people of an account's decision-making unit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from abm.accounts.contacts import get_contact, save_contact
from abm.accounts.emails import InvalidEmail, normalise_email
from abm.accounts.settings import ContactSettings
from abm.db import get_session
from abm.web import LANGUAGES, labels
from abm.web.accounts import load_editable_account
from abm.web.auth import role_required
from abm.web.forms import options
from abm.workspace.services import settings_of

bp = Blueprint("contacts", __name__, url_prefix="/accounts")


def valid_email(_form, field) -> None:
    """The email validator of the contact service, its reason after a translated sentence."""
    try:
        normalise_email(field.data)
    except InvalidEmail as exc:
        raise ValidationError(_("This is not a valid email address: %(why)s", why=str(exc))) \
            from None


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"))
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254), valid_email])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    language = SelectField(_l("Language of messages"))
    marketing_consent = BooleanField(_l("Agreed to receive marketing messages"))
    consent_source = StringField(_l("Where the consent was given"),
                                 validators=[Optional(), Length(max=200)])
    consent_on = DateField(_l("Consent given on"), validators=[Optional()])
    gender = SelectField(_l("Gender"), validators=[Optional()])


@bp.route("/<int:account_id>/contacts/new", methods=["GET", "POST"], endpoint="new")
@bp.route("/<int:account_id>/contacts/<int:contact_id>", methods=["GET", "POST"])
@role_required("manager", "sales")
def edit(account_id: int, contact_id: int | None = None):
    session = get_session()
    account = load_editable_account(account_id)
    contact = None
    if contact_id is not None:
        contact = get_contact(session, account.id, contact_id)
        if contact is None:
            abort(404)
    form = ContactForm(obj=contact)
    form.role.choices = options(labels.choices("contact_role"))
    form.language.choices = options([(code, code) for code in LANGUAGES])
    if settings_of(session, ContactSettings).greetings_by_gender:
        form.gender.choices = options([("", "—"), *labels.choices("gender")])
    else:  # the workspace does not keep contacts' gender
        del form.gender
    if form.validate_on_submit():
        save_contact(session, account, form.data, contact)
        session.commit()
        flash(_("Contact saved."), "info")
        return redirect(url_for("accounts.show", account_id=account.id) + "#contacts")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/contact.html", account=account, contact=contact,
                           form=form), status
