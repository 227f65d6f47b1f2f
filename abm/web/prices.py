"""Products, their price lists and promotions: everyone reads, managers edit, and a manager
or marketer turns a price change or a promotion into a notice campaign to its buyers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from abm.campaigns.notices import Notice, price_notice, promotion_notice
from abm.campaigns.services import CampaignError
from abm.db import get_session
from abm.sales import prices
from abm.sales.models import Product
from abm.web.audience_text import error_text
from abm.web.auth import role_required
from abm.web.rates import CommaDecimalField, currency_choices
from abm.workspace.wording import refusal_text

bp = Blueprint("prices", __name__)
READERS = ("manager", "marketing", "sales")
EDITORS = ("manager",)
NOTIFIERS = ("manager", "marketing")


class PriceForm(FlaskForm):
    price = CommaDecimalField(_l("Price"), places=None,
                              validators=[InputRequired(), NumberRange(min=0)])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_to = DateField(_l("Valid to"), validators=[Optional()])


class PromotionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    skus = StringField(_l("Products (SKUs, separated by commas)"), validators=[DataRequired()])
    discount_percent = CommaDecimalField(_l("Discount, %"), places=None, validators=[
        InputRequired(), NumberRange(min=0.01, max=100)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)])


@bp.route("/products/")
@role_required(*READERS)
def products():
    q = request.args.get("q", "")[:100]
    return render_template("prices/products.html", q=q,
                           products=prices.find_products(get_session(), q))


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@role_required(*READERS)
def product(product_id: int):
    session = get_session()
    item = session.get(Product, product_id)
    if item is None:
        abort(404)
    form = PriceForm()
    form.currency.choices = currency_choices("EUR")
    status = 200
    if request.method == "POST":
        if current_user.role.value not in (*EDITORS, "admin"):
            abort(403)
        if form.validate_on_submit():
            try:
                prices.add_price(session, product_id=product_id, price=float(form.price.data),
                                 currency=form.currency.data, valid_from=form.valid_from.data,
                                 valid_to=form.valid_to.data, user_id=current_user.id)
            except prices.PriceError as exc:
                session.rollback()
                form.price.errors = [*form.price.errors, refusal_text(exc)]
            else:
                session.commit()
                flash(_("Price saved."), "info")
                return redirect(url_for(".product", product_id=product_id))
        status = 422
    return render_template(
        "prices/product.html", product=item, form=form,
        price_list=prices.price_list(session, product_id),
        promotions=prices.promotions(session, product_id=product_id)), status


@bp.route("/prices/<int:price_id>/notice", methods=["POST"])
@role_required(*NOTIFIERS)
def notify_price(price_id: int):
    session = get_session()
    try:
        price = prices.get_price(session, price_id)
    except prices.PriceError:
        abort(404)
    back = url_for(".product", product_id=price.product_id)
    return _notice(lambda: price_notice(session, price_id, user_id=current_user.id,
                                        language=_language()), back)


@bp.route("/promotions/", methods=["GET", "POST"])
@role_required(*READERS)
def promotions():
    form = PromotionForm()
    return _promotion_page(form, None)


@bp.route("/promotions/<int:promotion_id>", methods=["GET", "POST"])
@role_required(*READERS)
def promotion(promotion_id: int):
    session = get_session()
    try:
        found = prices.get_promotion(session, promotion_id)
    except prices.PriceError:
        abort(404)
    form = PromotionForm(data={"name": found.name, "skus": ", ".join(found.skus),
                               "discount_percent": found.discount_percent,
                               "starts_on": found.starts_on, "ends_on": found.ends_on,
                               "description": found.description})
    return _promotion_page(form, found)


def _promotion_page(form: PromotionForm, found: prices.PromotionRow | None):
    session = get_session()
    status = 200
    if request.method == "POST":
        if current_user.role.value not in (*EDITORS, "admin"):
            abort(403)
        if form.validate_on_submit():
            ids, missing = prices.product_ids_by_sku(session, form.skus.data.split(","))
            if missing:
                form.skus.errors = [_("No product has the SKU %(sku)s.", sku=missing[0])]
            else:
                try:
                    saved = prices.save_promotion(
                        session, name=form.name.data, product_ids=ids,
                        discount_percent=float(form.discount_percent.data),
                        starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                        description=form.description.data or "",
                        promotion_id=found.id if found else None, user_id=current_user.id)
                except prices.PriceError as exc:
                    session.rollback()
                    form.name.errors = [refusal_text(exc)]
                else:
                    session.commit()
                    flash(_("Promotion saved."), "info")
                    return redirect(url_for(".promotion", promotion_id=saved.id))
        status = 422
    return render_template("prices/promotions.html", form=form, promotion=found,
                           promotions=prices.promotions(session)), status


@bp.route("/promotions/<int:promotion_id>/notice", methods=["POST"])
@role_required(*NOTIFIERS)
def notify_promotion(promotion_id: int):
    session = get_session()
    back = url_for(".promotion", promotion_id=promotion_id)
    return _notice(lambda: promotion_notice(session, promotion_id, user_id=current_user.id,
                                            language=_language()), back)


def _language() -> str:
    return "ru" if request.form.get("language") == "ru" else "en"


def _notice(make, back: str):
    session = get_session()
    try:
        notice: Notice = make()
    except CampaignError as exc:
        session.rollback()
        flash(_("No notice made: %(reason)s", reason=error_text(exc)), "error")
        return redirect(back)
    session.commit()
    if notice.reasons:
        flash(ngettext("A notice to %(num)s account waits for a manager's approval.",
                       "A notice to %(num)s accounts waits for a manager's approval.",
                       notice.accounts), "info")
    else:
        flash(ngettext("A draft notice to %(num)s account is ready.",
                       "A draft notice to %(num)s accounts is ready.", notice.accounts), "info")
    return redirect(url_for("campaigns.show", campaign_id=notice.campaign.id))
