"""The fields of each import kind and the headers, English and Russian, that name them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from abm.imports.refusals import reason
from abm.imports.results import ImportFileError

KINDS = ("accounts", "contacts", "products", "orders", "receivables", "prices")


@dataclass(frozen=True)
class Field:
    """One field of an import kind.

    Attributes:
        name: the field name used by ``--map FIELD=HEADER``.
        type: "text", "number", "int", "date" or "bool".
        required: the column must be present (and the value too, unless ``optional_value``).
        aliases: header spellings that name this field (compared normalised).
    """

    name: str
    type: str = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()


_ACCOUNT_CODE = ("account", "account id", "account code", "account external id", "customer id",
                 "customer code", "client id", "client code", "external id", "inn", "tax id",
                 "инн", "код контрагента", "код клиента", "код покупателя", "контрагент код",
                 "ид контрагента")
_ACCOUNT_NAME = ("account name", "customer", "customer name", "client", "client name", "company",
                 "buyer", "counterparty", "контрагент", "клиент", "покупатель", "заказчик",
                 "наименование контрагента", "контрагент наименование", "организация")
# Headers that may hold an account's code as well as its name ("Контрагент: ООО Ромашка").
# When such a column is a file's only account column, its value is both: see detect_mapping.
IDENTIFIER_HEADERS = ("account", "accounts", "customer", "customers", "client", "clients",
                      "buyer", "counterparty", "company", "контрагент", "контрагенты", "клиент",
                      "клиенты", "покупатель", "покупатели", "заказчик", "организация")
_CURRENCY = ("currency", "валюта")

FIELDS: dict[str, tuple[Field, ...]] = {
    "accounts": (
        Field("external_id", required=True, aliases=_ACCOUNT_CODE + ("id", "code", "код")),
        Field("name", required=True,
              aliases=_ACCOUNT_NAME + ("name", "наименование", "название", "company name")),
        Field("kind", aliases=("kind", "type", "тип", "вид")),
        Field("industry", aliases=("industry", "sector", "отрасль")),
        Field("country", aliases=("country", "country code", "страна")),
        Field("region", aliases=("region", "регион", "область")),
        Field("city", aliases=("city", "town", "город")),
        Field("employees", "int", aliases=("employees", "staff", "headcount", "сотрудники",
                                           "численность", "число сотрудников")),
        Field("website", aliases=("website", "web", "site", "url", "сайт")),
        Field("loyalty_programme", aliases=("loyalty programme", "loyalty program",
                                            "программа лояльности")),
        Field("loyalty_status", aliases=("loyalty", "loyalty status", "loyalty member",
                                         "лояльность", "статус в программе лояльности",
                                         "участник программы лояльности")),
        Field("loyalty_tier", aliases=("loyalty tier", "tier", "уровень лояльности",
                                       "уровень")),
        # Prospects worked by competitors (DOMAIN.md): who, a key client of theirs, our plan.
        Field("current_supplier", aliases=("current supplier", "supplier", "competitor",
                                           "текущий поставщик", "поставщик", "конкурент")),
        Field("competitor_key_client", "bool", aliases=(
            "competitor key client", "competitors key client", "key client of competitor",
            "ключевой клиент конкурента")),
        Field("win_plan", aliases=("win plan", "plan to win", "план завоевания",
                                   "план привлечения")),
    ),
    "contacts": (
        Field("external_id", aliases=("contact id", "contact code", "external id", "id",
                                      "код контакта", "код")),
        Field("account", aliases=_ACCOUNT_CODE),
        Field("account_name", aliases=_ACCOUNT_NAME),
        Field("name", required=True, aliases=("name", "contact", "contact name", "full name",
                                              "person", "фио", "контакт", "контактное лицо",
                                              "имя")),
        Field("email", aliases=("email", "e-mail", "mail", "электронная почта", "почта")),
        Field("phone", aliases=("phone", "telephone", "mobile", "телефон")),
        Field("position", aliases=("position", "title", "job title", "должность")),
        Field("birthday", "date", aliases=("birthday", "date of birth", "birth date",
                                           "день рождения", "дата рождения")),
        Field("language", aliases=("language", "lang", "язык", "язык писем",
                                   "язык общения")),
        Field("role", aliases=("role", "dmu role", "role in dmu", "decision role",
                               "decision making role", "buying role", "роль", "роль в закупке",
                               "роль в принятии решений", "роль лпр")),
        Field("marketing_consent", "bool",
              aliases=("consent", "marketing consent", "opt in", "opted in", "subscribed",
                       "согласие", "согласие на рассылку", "согласие на рассылки",
                       "согласие на рекламу", "подписка")),
        Field("consent_source", aliases=("consent source", "source of consent", "opt in source",
                                         "источник согласия", "откуда согласие")),
        Field("consent_on", "date", aliases=("consent date", "consent on", "consented on",
                                             "opt in date", "дата согласия")),
        Field("gender", aliases=("gender", "sex", "пол")),
    ),
    "products": (
        Field("sku", required=True, aliases=("sku", "article", "item code", "product code",
                                             "code", "артикул", "код товара",
                                             "код номенклатуры", "код")),
        Field("name", required=True, aliases=("name", "product", "product name", "item",
                                              "номенклатура", "товар", "наименование",
                                              "наименование товара")),
        Field("category", aliases=("category", "group", "product group", "категория", "группа",
                                   "группа товаров")),
        Field("price", "number", aliases=("price", "list price", "цена")),
        Field("top_assortment", "bool", aliases=("top assortment", "top", "топ",
                                                  "топ ассортимент")),
    ),
    "orders": (
        Field("document", aliases=("document", "document no", "document number", "doc", "doc no",
                                   "invoice", "invoice no", "order", "order no", "shipment",
                                   "документ", "номер документа", "накладная", "регистратор",
                                   "номер накладной", "реализация")),
        Field("line_no", "int", aliases=("line", "line no", "line number", "№", "n", "no",
                                         "номер строки", "строка", "№ строки")),
        Field("date", "date", required=True,
              aliases=("date", "order date", "shipment date", "invoice date", "document date",
                       "дата", "дата отгрузки", "дата документа", "дата реализации", "период")),
        Field("account", aliases=_ACCOUNT_CODE),
        Field("account_name", aliases=_ACCOUNT_NAME),
        Field("sku", aliases=("sku", "article", "item code", "product code", "артикул",
                              "код товара", "код номенклатуры")),
        Field("product_name", aliases=("product", "product name", "item", "номенклатура",
                                       "товар", "наименование товара")),
        Field("quantity", "number", aliases=("quantity", "qty", "количество", "кол во")),
        Field("revenue", "number", required=True,
              aliases=("revenue", "amount", "sum", "total", "sales", "net amount", "сумма",
                       "выручка", "сумма продажи", "стоимость", "сумма реализации")),
        Field("margin", "number", aliases=("margin", "gross profit", "profit", "маржа",
                                           "валовая прибыль", "прибыль", "наценка")),
        Field("currency", aliases=_CURRENCY),
    ),
    "receivables": (
        Field("account", aliases=_ACCOUNT_CODE),
        Field("account_name", aliases=_ACCOUNT_NAME),
        Field("document", required=True, aliases=("document", "invoice", "invoice no",
                                                  "document no", "документ", "счет",
                                                  "номер счета", "номер документа")),
        Field("issued_on", "date", aliases=("issued", "issued on", "invoice date", "date",
                                            "дата", "дата документа", "дата счета")),
        Field("due_on", "date", required=True, aliases=("due", "due on", "due date",
                                                        "срок оплаты", "дата оплаты",
                                                        "оплатить до")),
        Field("amount", "number", required=True, aliases=("amount", "sum", "total", "сумма",
                                                          "сумма долга", "задолженность")),
        Field("paid_amount", "number", aliases=("paid", "paid amount", "оплачено",
                                                "сумма оплаты")),
        Field("currency", aliases=_CURRENCY),
    ),
    "prices": (
        Field("sku", required=True, aliases=("sku", "article", "item code", "product code",
                                             "code", "артикул", "код товара",
                                             "код номенклатуры", "код")),
        Field("price", "number", required=True,
              aliases=("price", "list price", "new price", "price per unit", "цена",
                       "новая цена", "цена за единицу", "отпускная цена")),
        Field("currency", aliases=_CURRENCY),
        Field("valid_from", "date", required=True,
              aliases=("valid from", "from", "start", "start date", "effective from",
                       "effective date", "действует с", "дата начала", "с", "начало")),
        Field("valid_to", "date", aliases=("valid to", "valid until", "to", "until", "end",
                                           "end date", "действует по", "дата окончания",
                                           "по", "окончание")),
    ),
}

# Order lines, contacts and receivables name their account by code, by name or both.
ONE_OF = {"orders": ("account", "account_name"), "contacts": ("account", "account_name"),
          "receivables": ("account", "account_name")}

_SEPARATORS = re.compile(r"[\s_\-./:,()\"]+")


def normalise(header: str) -> str:
    """A header compared by meaning: case, ё, punctuation and spacing ignored."""
    s = header.strip().casefold().replace("ё", "е")
    return _SEPARATORS.sub(" ", s).strip() or header.strip()


_IDENTIFIERS = frozenset(normalise(h) for h in IDENTIFIER_HEADERS)


def fields_of(kind: str) -> dict[str, Field]:
    if kind not in FIELDS:
        raise ImportFileError("unknown_kind", kind=kind, kinds=list(KINDS))
    return {f.name: f for f in FIELDS[kind]}


def parse_map_options(options: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["revenue=Сумма", ...]`` as ``{"revenue": "Сумма"}``."""
    mapping = {}
    for option in options:
        name, sep, header = option.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise ImportFileError("bad_map_option", option=option)
        mapping[name.strip()] = header.strip()
    return mapping


def detect_mapping(kind: str, headers: list[str], explicit: dict[str, str] | None = None,
                   *, require: bool = True) -> dict[str, int]:
    """The column index of each field found in ``headers``.

    An explicit mapping (field -> header) wins over the aliases; the aliases fill
    in the rest. Every header is used by one field at most.

    Raises:
        ImportFileError: an explicit mapping names an unknown field or a header the
            file lacks, or (when ``require``) a required column is missing.
    """
    fields = fields_of(kind)
    by_header: dict[str, int] = {}
    for position, header in enumerate(headers):
        by_header.setdefault(normalise(header), position)
    found: dict[str, int] = {}
    for name, header in (explicit or {}).items():
        if name not in fields:
            raise ImportFileError("unknown_map_field", field=name, kind=kind,
                                  fields=list(fields))
        index = by_header.get(normalise(header))
        if index is None:
            raise ImportFileError("no_column", field=name, header=header)
        found[name] = index
    taken = set(found.values())
    for field in fields.values():
        if field.name in found:
            continue
        for alias in (field.name.replace("_", " "), *field.aliases):
            index = by_header.get(normalise(alias))
            if index is not None and index not in taken:
                found[field.name] = index
                taken.add(index)
                break
    _identifier_serves_as_both(kind, headers, found)
    missing = missing_fields(kind, found)
    if missing and require:
        raise ImportFileError(
            "missing_columns", headers=[h for h in headers if h] or reason("no_headers"),
            missing=[group[0] if len(group) == 1 else reason("either", first=group[0],
                                                              second=group[1])
                     for group in missing])
    return found


def _identifier_serves_as_both(kind: str, headers: list[str], found: dict[str, int]) -> None:
    """A file whose only account column is an identifier (``Контрагент``, ``customer``...):
    its value is the account's code and its name, so the column fills both fields.

    The importer then finds an account by that value as a code, else as a name, and
    creates a missing one with the value as both (:meth:`abm.imports.lookup.Lookup.account`).
    """
    pair = ONE_OF.get(kind)
    if not pair:
        return
    present = [name for name in pair if name in found]
    if len(present) == 1 and normalise(headers[found[present[0]]]) in _IDENTIFIERS:
        for name in pair:
            found[name] = found[present[0]]


def missing_fields(kind: str, found: dict[str, int]) -> list[tuple[str, ...]]:
    """The required fields that ``found`` lacks, each as the fields that would do: one, or
    the alternatives of a group (``("account", "account_name")``)."""
    missing: list[tuple[str, ...]] = [(f.name,) for f in FIELDS[kind]
                                      if f.required and f.name not in found]
    group = ONE_OF.get(kind)
    if group and not any(name in found for name in group):
        missing.append(group)
    return missing
