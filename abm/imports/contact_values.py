"""The values of a contacts file that are words: a role in the decision-making unit, a
language, a gender, in English or Russian as exports and people write them."""

from __future__ import annotations

from abm.accounts.models import ContactRole, Gender
from abm.imports.results import RowProblem

LANGUAGES = ("en", "ru")  # the languages greetings and campaigns are written in
_ROLES = {
    ContactRole.OWNER: ("owner", "director", "ceo", "general manager", "decision maker",
                        "собственник", "владелец", "директор", "генеральный директор",
                        "лпр", "руководитель"),
    ContactRole.PURCHASING: ("purchasing", "purchase", "procurement", "buyer", "закупки",
                             "закупка", "снабжение", "закупщик", "отдел закупок", "снабженец"),
    ContactRole.WAREHOUSE: ("warehouse", "stock", "склад", "кладовщик", "складской"),
    ContactRole.LOGISTICS: ("logistics", "shipping", "delivery", "логистика", "логист",
                            "доставка"),
    ContactRole.ACCOUNTING: ("accounting", "accountant", "finance", "бухгалтерия", "бухгалтер",
                             "финансы"),
    ContactRole.TECHNICAL: ("technical", "technical expert", "engineer", "expert",
                            "технический эксперт", "технолог", "инженер", "эксперт",
                            "технический специалист"),
    ContactRole.OTHER: ("other", "другое", "прочее", "иное"),
}
ROLE_WORDS = {word: role for role, words in _ROLES.items() for word in words}
LANGUAGE_WORDS = {"en": "en", "eng": "en", "english": "en", "английский": "en", "англ": "en",
                  "ru": "ru", "rus": "ru", "russian": "ru", "русский": "ru", "рус": "ru"}
GENDER_WORDS = {
    **dict.fromkeys(("female", "f", "woman", "w", "ж", "жен", "женский", "женщина"),
                    Gender.FEMALE),
    **dict.fromkeys(("male", "m", "man", "м", "муж", "мужской", "мужчина"), Gender.MALE),
}


def _word(text: str) -> str:
    return " ".join(text.strip().casefold().replace("ё", "е").rstrip(".").split())


def parse_role(text: str) -> ContactRole:
    role = ROLE_WORDS.get(_word(text))
    if role is None:
        raise RowProblem("role", text, "not a role in the decision-making unit (owner, "
                         "purchasing, warehouse, logistics, accounting, technical, other)")
    return role


def parse_language(text: str) -> str:
    word = _word(text)
    language = LANGUAGE_WORDS.get(word) or LANGUAGE_WORDS.get(word.split("-")[0].split("_")[0])
    if language is None:
        raise RowProblem.coded("language", text, "language", languages=list(LANGUAGES))
    return language


def parse_gender(text: str) -> Gender:
    gender = GENDER_WORDS.get(_word(text))
    if gender is None:
        raise RowProblem("gender", text, "not female or male")
    return gender


def check_phone(text: str) -> str:
    """A telephone number as people write it: digits, at least 5 and at most 15 of them
    (E.164), with an optional leading + and spaces, dashes, dots or brackets."""
    digits = sum(c.isdigit() for c in text)
    allowed = set("0123456789+-() .")
    if (not set(text) <= allowed or "+" in text[1:] or not 5 <= digits <= 15
            or len(text) > 50):
        raise RowProblem("phone", text, "not a telephone number (digits, with an optional "
                         "leading +, spaces, dashes and brackets)")
    return text
