"""The shape of a settings section: one typed, frozen model per domain.

A domain declares its settings as a subclass of :class:`SettingsSection` in its
own ``settings`` module: each field has its type (a ``Literal`` for a choice),
its default, its limits (``Field(ge=..., le=...)``) and a one-line description
marked with :func:`N_`; a further check is a field validator raising
:func:`refusal`. Each value is stored under ``<prefix>.<field>``
(``analytics.key_share``). Nothing is registered on import: the catalogue
(:mod:`abm.settings.catalogue`) lists every section.

Sections know no Flask: descriptions and the reasons of a :class:`SettingError`
are English here and worded in the user's language by the web.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self, cast, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlalchemy.orm import Session

from abm.workspace.refusals import N_

# Why a value is refused, by pydantic's error type: English templates whose
# parameters are ``value``, ``min``, ``max`` and ``allowed``.
REASONS = {
    "unknown_setting": N_("there is no setting %(value)s"),
    "bool_type": N_("expected true or false, got %(value)s"),
    "int_type": N_("expected a whole number, got %(value)s"),
    "float_type": N_("expected a number, got %(value)s"),
    "string_type": N_("expected a text, got %(value)s"),
    "greater_than_equal": N_("%(value)s is below the minimum %(min)s"),
    "less_than_equal": N_("%(value)s is above the maximum %(max)s"),
    "literal_error": N_("%(value)s is not one of %(allowed)s"),
    "invalid": N_("%(value)s is not a valid value"),
}
REASONS_SAME = {"int_from_float": "int_type", "greater_than": "greater_than_equal",
                "less_than": "less_than_equal"}


class SettingError(ValueError):
    """An unknown setting, or a value of the wrong type, out of its limits or refused.

    ``str(error)`` is the English message, naming the setting. A page words it
    in the user's language: ``gettext(error.template, **error.params)``.

    Attributes:
        key: the stored key of the setting (``analytics.key_share``).
        code: why (``less_than_equal``, ``not_time_zone``, ``currency_in_use`` ...).
        template: the English message as a %-template, marked for translation.
        params: its parameters, ready to show.
    """

    def __init__(self, key: str, code: str, template: str, **params: Any) -> None:
        super().__init__(f"{key}: {template % params}")
        self.key, self.code, self.template, self.params = key, code, template, params


def refusal(code: str, template: str, **params: Any) -> PydanticCustomError:
    """The error a section's own check raises: ``template`` (marked with :func:`N_`)
    is what the user reads, with ``params``."""
    return PydanticCustomError(code, template % params, {"template": template, **params})


@dataclass(frozen=True)
class SettingInfo:
    """What the settings page shows of one setting's declaration."""

    key: str
    name: str
    type: str  # "int", "float", "str" or "bool"
    default: Any
    description: str  # English, marked for translation
    minimum: float | None
    maximum: float | None
    choices: tuple[str, ...] | None


class SettingsSection(BaseModel):
    """A domain's settings: defaults on the class, the workspace's values on an instance.

    Subclasses set :attr:`prefix` and declare every field with a default.
    Values are strict: a boolean is not a number, a text is not a number, and
    a number is not a text (a whole float such as ``30.0`` is taken as ``30``).
    """

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    prefix: ClassVar[str]

    @field_validator("*", mode="before")
    @classmethod
    def _whole_floats_are_whole_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if (field is not None and field.annotation is int and isinstance(value, float)
                and value.is_integer()):
            return int(value)
        return value

    # -- keys ------------------------------------------------------------------
    @classmethod
    def key(cls, name: str) -> str:
        """The stored key of field ``name``."""
        return f"{cls.prefix}.{name}"

    @classmethod
    def stored_keys(cls) -> dict[str, str]:
        """Stored key -> field name, in the order of declaration."""
        return {cls.key(name): name for name in cls.model_fields}

    # -- validation ------------------------------------------------------------
    @classmethod
    def check(cls, name: str, value: Any) -> Any:
        """``value`` as field ``name`` takes it (converted: ``" usd "`` -> ``"USD"``).

        Raises:
            SettingError: no such field, or the field refuses the value.
        """
        if name not in cls.model_fields:
            raise unknown_setting(cls.key(name))
        try:
            return getattr(cls.model_validate({name: value}), name)
        except ValidationError as exc:
            raise cls._refused(name, value, exc.errors()[0]) from None

    @classmethod
    def _refused(cls, name: str, value: Any, error: ErrorDetails) -> SettingError:
        ctx = dict(error.get("ctx") or {})
        if "template" in ctx:  # a section's own check, see refusal()
            return SettingError(cls.key(name), error["type"], ctx.pop("template"), **ctx)
        code = REASONS_SAME.get(error["type"], error["type"])
        if code not in REASONS:
            code = "invalid"
        info = cls.describe(name)
        shown = value if code in ("greater_than_equal", "less_than_equal") else repr(value)
        return SettingError(cls.key(name), code, REASONS[code], value=shown, min=info.minimum,
                            max=info.maximum, allowed=", ".join(info.choices or ()))

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Self:
        """The defaults overlaid with the values of ``stored`` (keyed as stored).

        Keys of other sections are left aside; a value that no longer validates
        (a limit changed, a choice was retired) is ignored, so that a rule always
        gets a usable value. Old analytics snapshots are read this way too.
        """
        accepted = {}
        for key, name in cls.stored_keys().items():
            if key in stored:
                try:
                    accepted[name] = cls.check(name, stored[key])
                except SettingError:
                    continue
        return cls.model_validate(accepted)

    def stored(self) -> dict[str, Any]:
        """Every value, keyed as stored (``{"analytics.key_share": 0.1, ...}``)."""
        return {self.key(name): getattr(self, name) for name in type(self).model_fields}

    def overridden(self, values: Mapping[str, Any]) -> Self:
        """A copy with ``values`` (keyed as stored) in place of the current ones.

        Raises:
            SettingError: a key of another section, or a value its field refuses.
        """
        keys = self.stored_keys()
        changes = {}
        for key, value in values.items():
            if key not in keys:
                raise unknown_setting(key)
            changes[keys[key]] = self.check(keys[key], value)
        return self.model_validate({**self.model_dump(), **changes})

    # -- rules run when saving ---------------------------------------------------
    @classmethod
    def check_change(cls, session: Session, before: Self, after: Self) -> None:
        """Refuse a change that the stored data forbids, by raising a :class:`SettingError`.

        Runs when values of this section are saved, before anything is stored,
        with the section as it is and as it would be. Nothing by default.
        """

    # -- what the settings page shows ------------------------------------------------
    @classmethod
    def describe(cls, name: str) -> SettingInfo:
        """Field ``name``'s declaration: type, default, limits, choices, description."""
        field = cls.model_fields[name]
        annotation = field.annotation
        choices = None
        if get_origin(annotation) is Literal:
            choices = tuple(get_args(annotation))
            annotation = type(choices[0])
        minimum: float | None = None
        maximum: float | None = None
        for limit in field.metadata:  # as declared (an int stays an int: "from 1 to 60")
            if isinstance(limit, Ge | Gt):
                minimum = cast(float, limit.ge if isinstance(limit, Ge) else limit.gt)
            elif isinstance(limit, Le | Lt):
                maximum = cast(float, limit.le if isinstance(limit, Le) else limit.lt)
        type_name = annotation.__name__ if isinstance(annotation, type) else str(annotation)
        return SettingInfo(key=cls.key(name), name=name, type=type_name, default=field.default,
                           description=field.description or "", minimum=minimum,
                           maximum=maximum, choices=choices)

    @classmethod
    def describe_all(cls) -> list[SettingInfo]:
        """Every field's declaration, in the order of declaration."""
        return [cls.describe(name) for name in cls.model_fields]


def unknown_setting(key: str) -> SettingError:
    """The error for a key that no section declares."""
    return SettingError(key, "unknown_setting", REASONS["unknown_setting"], value=key)
