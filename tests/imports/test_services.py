"""The preview for the upload page, and saved mappings."""

import pytest

from abm.imports.mappings import get_mapping, save_mapping
from abm.imports.preview import preview_file
from abm.imports.results import ImportFileError


def test_the_preview_shows_the_first_rows_and_the_detected_mapping(write_file):
    rows = "".join(f"D{i};31.10.2026;Ромашка;{i},5\n" for i in range(30))
    preview = preview_file(write_file("Документ;Дата;Клиент;Сумма\n" + rows, encoding="cp1251"),
                           "orders", rows=5)
    assert preview.format == "csv"
    assert (preview.encoding, preview.delimiter) == ("cp1251", ";")
    assert preview.mapping == {"document": "Документ", "date": "Дата", "account": "Клиент",
                                  "account_name": "Клиент", "revenue": "Сумма"}
    assert preview.missing == []
    assert preview.rows == [[f"D{i}", "31.10.2026", "Ромашка", f"{i},5"] for i in range(5)]
    assert "margin" in preview.fields


def test_the_preview_lists_missing_required_fields_instead_of_failing(write_file):
    preview = preview_file(write_file("Когда;Кто\n31.10.2026;X\n"), "orders")
    assert preview.missing == [("date",), ("revenue",), ("account", "account_name")]
    with_map = preview_file(write_file("Когда;Кто;Деньги\n31.10.2026;X;1\n"), "orders",
                            mapping={"date": "Когда", "account_name": "Кто", "revenue": "Деньги"})
    assert with_map.missing == []


def test_a_saved_mapping_is_replaced_by_name_and_kept_per_kind(session):
    save_mapping(session, "orders", "erp", {"revenue": "Сумма"})
    save_mapping(session, "orders", "erp", {"revenue": "Итого", "date": "Когда"})
    save_mapping(session, "products", "erp", {"sku": "Код"})
    assert get_mapping(session, "orders", "erp") == {"revenue": "Итого", "date": "Когда"}
    assert get_mapping(session, "products", "erp") == {"sku": "Код"}


def test_a_mapping_with_an_unknown_field_is_not_saved(session):
    with pytest.raises(ImportFileError, match="orders have no field price"):
        save_mapping(session, "orders", "bad", {"price": "Цена"})


def test_an_unknown_kind_is_refused(write_file):
    with pytest.raises(ImportFileError, match="unknown import kind 'invoices'"):
        preview_file(write_file("a;b\n1;2\n"), "invoices")
