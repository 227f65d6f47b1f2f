"""Properties: importing twice equals importing once; A then corrected A equals corrected A."""

import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from abm.accounts.models import Account
from abm.imports.services import import_file
from abm.sales.models import MonthlyAccountProductSales, MonthlyAccountSales, Product
from tests.imports.conftest import order_lines

HEADER = "Документ;Строка;Дата;ИНН;Контрагент;Артикул;Номенклатура;Количество;Сумма\n"
DAYS = [date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 15)]
FORMATS = ["%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%d/%m/%Y", "%d.%m.%Y 0:00:00"]
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

values = st.fixed_dictionaries({
    "account": st.integers(1, 3),
    "sku": st.integers(1, 3),
    "quantity": st.integers(0, 50),
    "cents": st.integers(0, 10_000_000),
    "comma": st.booleans(),
    "format": st.sampled_from(FORMATS),
})
keys = st.tuples(st.sampled_from(["D1", "D2", "Д-3", ""]), st.sampled_from(["", "1", "2"]),
                 st.sampled_from(DAYS))
rows = st.lists(st.tuples(keys, values), max_size=12)
unique_rows = st.lists(st.tuples(st.tuples(st.sampled_from(["D1", "D2", "Д-3"]),
                                           st.sampled_from(["1", "2"]), st.sampled_from(DAYS)),
                                 values), max_size=12, unique_by=lambda r: r[0])

_names = itertools.count()


def _csv(tmp_path, lines) -> str:
    out = []
    for (document, line, day), v in lines:
        amount = f"{v['cents'] / 100:.2f}"
        out.append(";".join([
            document, line, day.strftime(v["format"]), f"A{v['account']}",
            f"Client {v['account']}", f"S{v['sku']}", "Product", str(v["quantity"]),
            amount.replace(".", ",") if v["comma"] else amount,
        ]))
    path = tmp_path / f"orders{next(_names)}.csv"
    path.write_text(HEADER + "\n".join(out) + "\n", encoding="utf-8")
    return path


def _state(session, *paths) -> tuple:
    """The order lines and aggregates after importing ``paths`` in order, then rolled back."""
    nested = session.begin_nested()
    try:
        results = [import_file(session, p, "orders") for p in paths]
        m, mp = MonthlyAccountSales, MonthlyAccountProductSales
        monthly = sorted(session.execute(
            select(Account.external_id, m.month, m.revenue, m.quantity, m.lines, m.documents,
                   m.purchase_days).join(Account, Account.id == m.account_id)).all())
        per_product = sorted(session.execute(
            select(Account.external_id, Product.sku, mp.month, mp.revenue, mp.lines)
            .join(Account, Account.id == mp.account_id)
            .join(Product, Product.id == mp.product_id)).all())
        return order_lines(session), monthly, per_product, results
    finally:
        nested.rollback()


@SETTINGS
@given(lines=rows)
def test_importing_twice_equals_importing_once(session, tmp_path, lines):
    if not lines:
        return
    path = _csv(tmp_path, lines)
    once = _state(session, path)
    twice = _state(session, path, path)
    assert twice[:3] == once[:3]
    second = twice[3][1]
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == once[3][0].created


@SETTINGS
@given(lines=unique_rows, new_values=st.lists(values, min_size=12, max_size=12))
def test_a_then_corrected_a_equals_corrected_a(session, tmp_path, lines, new_values):
    if not lines:
        return
    corrected = [(key, new if i % 2 else old)
                 for i, ((key, old), new) in enumerate(zip(lines, new_values, strict=False))]
    first, fixed = _csv(tmp_path, lines), _csv(tmp_path, corrected)
    assert _state(session, first, fixed)[:3] == _state(session, fixed)[:3]
