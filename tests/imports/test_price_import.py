"""The price-list import: header synonyms in both languages, row errors, the one write path."""

from datetime import date

from sqlalchemy import select

from abm.imports.preview import preview_file
from abm.sales.models import Product
from abm.sales.price_models import ProductPrice


def _products(session):
    session.add_all([Product(sku="A1", name="Nails"), Product(sku="B2", name="Screws")])
    session.commit()


def test_a_russian_price_list_imports_and_closes_the_earlier_price(session, write_file,
                                                                   do_import):
    _products(session)
    first = do_import(write_file("Артикул;Цена;Валюта;Действует с\nA1;100,50;RUB;01.01.2026\n"),
                      kind="prices")
    assert first.created == 1 and first.error_count == 0
    second = do_import(write_file("sku,new price,currency,effective from,valid until\n"
                                  "A1,110,RUB,2026-07-01,\nB2,5,EUR,2026-07-01,2026-12-31\n"),
                       kind="prices")
    assert second.created == 2
    rows = session.execute(select(ProductPrice.price, ProductPrice.valid_from,
                                  ProductPrice.valid_to).join(Product)
                           .where(Product.sku == "A1").order_by(ProductPrice.valid_from)).all()
    assert [tuple(r) for r in rows] == [(100.5, date(2026, 1, 1), date(2026, 6, 30)),
                                        (110.0, date(2026, 7, 1), None)]


def test_bad_rows_are_reported_by_line_and_the_good_ones_kept(session, write_file, do_import):
    _products(session)
    result = do_import(write_file(
        "sku;price;currency;valid from;valid to\n"
        "A1;10;EUR;2026-01-01;\n"       # line 2: fine
        "ZZ;10;EUR;2026-01-01;\n"       # line 3: no such product
        "B2;-1;EUR;2026-01-01;\n"       # line 4: negative
        "B2;5;EURO;2026-01-01;\n"       # line 5: bad currency
        "B2;5;EUR;2026-02-01;2026-01-01\n"  # line 6: period out of order
        "B2;5;EUR;;\n"                  # line 7: no start
    ), kind="prices")
    assert result.created == 1
    errors = {e["line"]: e for e in result.errors}
    assert errors[3]["reason"] == "unknown product" and errors[3]["value"] == "ZZ"
    assert errors[4]["reason"] == "negative value not allowed"
    assert errors[5]["reason"] == "longer than 3 characters"
    assert errors[6]["reason"] == "comes before the valid from date"
    assert errors[7]["reason"] == "missing value" and errors[7]["column"] == "valid from"
    assert session.scalar(select(ProductPrice.price)) == 10


def test_an_overlapping_price_is_a_row_error(session, write_file, do_import):
    _products(session)
    result = do_import(write_file("sku;price;valid from;valid to\n"
                                  "A1;10;2026-06-01;2026-06-30\nA1;11;2026-05-01;2026-06-15\n"),
                       kind="prices", currency="EUR")
    assert result.created == 1 and result.errors[0]["line"] == 3
    assert "overlaps the price from 2026-06-01" in result.errors[0]["reason"]


def test_the_preview_finds_the_columns_by_their_synonyms(session, write_file):
    preview = preview_file(write_file("Код товара;Отпускная цена;Дата начала\nA1;1;01.01.2026\n"),
                           "prices")
    assert preview.mapping == {"sku": "Код товара", "price": "Отпускная цена",
                               "valid_from": "Дата начала"}


def test_an_overlapping_price_is_said_in_the_readers_language(session, write_file, do_import):
    from babel.support import Translations

    from abm import ROOT
    from abm.imports.row_reasons import row_reason

    _products(session)
    result = do_import(write_file("sku;price;valid from;valid to\n"
                                  "A1;10;2026-06-01;2026-06-30\nA1;11;2026-05-01;2026-06-15\n"),
                       kind="prices", currency="EUR")
    error = result.errors[0]
    assert error["code"] == "refused"
    russian = Translations.load(f"{ROOT}/abm/translations", ["ru"])
    assert row_reason(error, russian.gettext) == ("действует с: период пересекается с ценой от "
                                                  "2026-06-01 (10 EUR)")
