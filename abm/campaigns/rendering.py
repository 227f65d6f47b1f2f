"""Rendering of user-edited message templates in a locked-down Jinja sandbox.

Templates are compiled once per campaign and rendered for every recipient with
a context of plain data (dicts, lists, numbers, strings). Anything that goes
wrong, at compile or at render time, raises :class:`RenderError` with a
message a user can act on; a message that does not render is never sent.

Beyond Jinja's ImmutableSandboxedEnvironment this module:
- refuses unsafe attributes at once (``__class__``...) instead of returning undefined;
- refuses ``str.format``/``format_map`` and every call except an allowlist;
- keeps only an allowlist of filters (no ``attr``, ``format``, ``center``...);
- caps ``range``, the repetition and power operators, string joins and the
  output size, and checks a time limit wherever the template does work;
- caps what any operation builds, before it builds it where it can: texts, lists
  (``+`` and ``*``) and whole numbers (``*`` and ``**``), so that no template,
  however it recurses, grows memory without bound;
- checks the time limit on every few rounds of every loop, not only between
  operations (a loop with an empty body is still a loop);
- refuses to print a method or any other callable (``{{ account.items }}``
  would otherwise show an object's memory address): a template calls it.

Two filters of its own write dates in the language of the message (Babel's
forms): ``{{ offer.valid_until|date }}`` gives "31 October 2026" in English and
"31 октября 2026 г." in Russian; ``{{ figures.last_order_month|month }}`` gives
"October 2026" / "октябрь 2026". They take ISO text ("2026-10-31", "2026-10")
and leave any other text as it is.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel import UnknownLocaleError
from babel.dates import format_date
from jinja2 import StrictUndefined, TemplateError, Undefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import escape

MAX_SOURCE = 100_000  # characters of template source per part
MAX_OUTPUT = 256 * 1024  # characters of output per part, and of any string built
MAX_RANGE = 10_000
MAX_ITEMS = 10_000  # items of any list, tuple or dict a template builds
MAX_INT_BITS = 1024  # whole numbers a template computes (about 308 digits)
TIME_LIMIT = 0.5  # seconds per message (all parts)
LOOP_CHECK_EVERY = 128  # rounds of a loop between two looks at the clock
# Characters of a rendered subject a template may produce (checked when it is saved).
# Mail clients show far fewer, and past this length some servers and filters cut it.
MAX_SUBJECT = 255

SAFE_FILTERS = (
    "abs", "batch", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first",
    "float", "groupby", "int", "items", "join", "last", "length", "list", "lower", "map", "max",
    "min", "reject", "rejectattr", "replace", "reverse", "round", "select", "selectattr", "slice",
    "sort", "string", "striptags", "sum", "title", "tojson", "trim", "truncate", "unique",
    "upper", "urlencode", "wordcount", "filesizeformat",
)
# Methods of plain data that a template may call; everything else is refused.
SAFE_METHODS = frozenset({
    "capitalize", "count", "endswith", "find", "get", "index", "items", "keys", "lower",
    "lstrip", "rstrip", "split", "splitlines", "startswith", "strip", "title", "upper", "values",
})
_BIG_FORMAT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d{4,})|\.(\*|\d{4,})")


class RenderError(Exception):
    """A template that cannot be compiled or rendered; the message says why."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    html: str
    text: str


class SubjectTooLong(RenderError):
    """A subject that renders longer than :data:`MAX_SUBJECT` characters."""

    def __init__(self, length: int) -> None:
        super().__init__(f"subject: the subject is {length} characters long; "
                         f"at most {MAX_SUBJECT} are allowed")
        self.length = length


def check_subject(rendered: RenderedMessage) -> None:
    """Refuse a subject longer than :data:`MAX_SUBJECT` (what a template editor saves).

    Raises:
        SubjectTooLong: with the length found.
    """
    if len(rendered.subject) > MAX_SUBJECT:
        raise SubjectTooLong(len(rendered.subject))


_limits = threading.local()


def _check_time() -> None:
    deadline = getattr(_limits, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise RenderError(f"the template took longer than {TIME_LIMIT:g} s to render")


def _check_size(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_OUTPUT:
            raise RenderError(f"the template built a text longer than {MAX_OUTPUT} characters")
    elif isinstance(value, list | tuple | dict | set | frozenset):
        if len(value) > MAX_ITEMS:
            raise RenderError(f"the template built a list of more than {MAX_ITEMS} items")
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise RenderError("the template computed a number too large to show")
    return value


def _guarded_iter(iterable: Any):
    """The items of a loop, with a look at the clock every few rounds."""
    for n, item in enumerate(iterable):
        if n % LOOP_CHECK_EVERY == 0:
            _check_time()
        yield item


def _printable(value: Any) -> Any:
    """What ``{{ ... }}`` prints: plain data only, never a method or other callable."""
    _refuse_callables(value, [MAX_ITEMS])
    return value


def _refuse_callables(value: Any, budget: list[int]) -> None:
    if isinstance(value, str | int | float | Undefined) or value is None:
        return
    if callable(value):
        name = getattr(value, "__name__", type(value).__name__)
        raise RenderError(f"{name!r} is a method, not a value: call it, as in {name}()")
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple | set | frozenset):
        budget[0] -= len(value)
        if budget[0] < 0:
            return  # the size limits bound the rest
        for item in value:
            _refuse_callables(item, budget)


def _safe_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise RenderError(f"range() is limited to {MAX_RANGE} items")
    return rng


DATE_FORMS = ("short", "medium", "long", "full")


@functools.lru_cache(maxsize=4096)
def _localised(value: str, kind: str, language: str) -> str:
    if len(value) > 10:
        return value
    try:
        day = date.fromisoformat(value + "-01" if kind == "month" and len(value) == 7 else value)
    except ValueError:
        return value
    pattern = "LLLL yyyy" if kind == "month" else kind
    try:
        return format_date(day, pattern, locale=language)
    except (UnknownLocaleError, ValueError):
        return format_date(day, pattern, locale="en")


# Both take the context only so that Jinja never computes them when it compiles a
# template (it would for a constant, in the language of whatever rendered last).
@pass_context
def _date_filter(_context, value: Any, form: str = "long") -> str:
    """An ISO date in the message's language; ``form`` is short, medium, long or full."""
    if form not in DATE_FORMS:
        raise RenderError(f"date: the form is one of {', '.join(DATE_FORMS)}, not {form!r}")
    return _localised(value.isoformat() if isinstance(value, date) else str(value), form,
                      getattr(_limits, "language", "en"))


@pass_context
def _month_filter(_context, value: Any) -> str:
    """An ISO month ("2026-10") or date as the month's name and year in the message's language."""
    return _localised(value.isoformat() if isinstance(value, date) else str(value), "month",
                      getattr(_limits, "language", "en"))


def _safe_replace(eval_ctx, value, old, new, count=None):
    # Like Jinja's replace: under autoescape the text is escaped before replacing.
    if eval_ctx.autoescape:
        value, old, new = escape(value), escape(old), escape(new)
    else:
        value, old, new = str(value), str(old), str(new)
    found = value.count(old) if old else len(value) + 1
    if count is not None:
        found = min(found, count)
    if len(value) + found * (len(new) - len(old)) > MAX_OUTPUT:
        raise RenderError(f"replace would build a text longer than {MAX_OUTPUT} characters")
    return value.replace(old, new, -1 if count is None else count)


class _CodeGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # ``a ~ b`` is compiled to a plain join that no sandbox hook sees.
        self.write("environment.checked_size(")
        super().visit_Concat(node, frame)
        self.write(")")


class _Sandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(autoescape=autoescape, undefined=StrictUndefined, auto_reload=False,
                         cache_size=0, keep_trailing_newline=True, finalize=_printable)
        self.globals = {"range": _safe_range, "dict": dict}
        self.filters = {name: self._guarded(self.filters[name]) for name in SAFE_FILTERS}
        self.filters["replace"] = _pass_eval_context(_safe_replace)
        self.filters["date"] = self._guarded(_date_filter)
        self.filters["month"] = self._guarded(_month_filter)

    @staticmethod
    def _guarded(func):
        def guarded(*args, **kwargs):
            _check_time()
            for arg in args:  # a method's text (its repr) shows a memory address
                if callable(arg) and not isinstance(arg, Undefined):
                    _printable(arg)
            return _check_size(func(*args, **kwargs))

        for marker in ("jinja_pass_arg",):
            if hasattr(func, marker):
                setattr(guarded, marker, getattr(func, marker))
        return guarded

    def checked_size(self, value: Any) -> Any:
        _check_time()
        return _check_size(value)

    guarded_iter = staticmethod(_guarded_iter)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Every loop iterates through guarded_iter, which looks at the clock.
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("guarded_iter"), [loop.iter], [],
                                   None, None, lineno=loop.lineno)
        return tree

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check_time()
        if type(obj) is dict:  # noqa: E721 - the fast path is for plain dicts only
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _check_time()
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj: Any, attribute: str):
        raise SecurityError(
            f"access to attribute {attribute!r} of a {type(obj).__name__} is not allowed"
        )

    def wrap_str_format(self, value: Any):
        if isinstance(value, types.MethodType | types.BuiltinMethodType) and (
            value.__name__ in ("format", "format_map") and isinstance(value.__self__, str)
        ):
            raise SecurityError("str.format and str.format_map are not allowed in templates")
        return None

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        _check_time()
        if isinstance(__obj, Undefined):
            __obj._fail_with_undefined_error()
        allowed = (
            __obj is _safe_range
            or __obj is _guarded_iter
            or __obj is dict
            or isinstance(__obj, Macro)
            or (isinstance(__obj, types.BuiltinMethodType)
                and isinstance(__obj.__self__, str | dict | list | tuple)
                and __obj.__name__ in SAFE_METHODS)
        )
        if not allowed:
            raise SecurityError(f"calling {getattr(__obj, '__name__', type(__obj).__name__)!r} "
                                "is not allowed in templates")
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        _check_time()
        if operator == "**" and isinstance(right, int | float) and (
            abs(right) > 64
            or (isinstance(left, int) and left.bit_length() * abs(right) > MAX_INT_BITS)
        ):
            raise RenderError("the power is too large for a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int):
                    limit = MAX_OUTPUT if isinstance(seq, str) else MAX_ITEMS
                    if len(seq) * times > limit:
                        raise RenderError(f"repetition is limited to {limit} items")
            if (_whole(left) and _whole(right)
                    and left.bit_length() + right.bit_length() > MAX_INT_BITS):
                raise RenderError("the template computed a number too large to show")
        if (operator == "+" and isinstance(left, list | tuple) and isinstance(right, list | tuple)
                and len(left) + len(right) > MAX_ITEMS):
            raise RenderError(f"the template built a list of more than {MAX_ITEMS} items")
        if operator == "%" and isinstance(left, str) and _BIG_FORMAT_WIDTH.search(left):
            raise RenderError("%-formatting widths are limited to 3 digits")
        return _check_size(super().call_binop(context, operator, left, right))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pass_eval_context(func):
    from jinja2 import pass_eval_context

    return pass_eval_context(func)


_HTML = _Sandbox(autoescape=True)
_TEXT = _Sandbox(autoescape=False)


@dataclass(frozen=True)
class CompiledTemplate:
    """The three parts of a message, compiled once and rendered many times."""

    subject: Any
    html: Any
    text: Any
    language: str = "en"

    def render(self, context: dict, between: Callable[[], None] | None = None) -> RenderedMessage:
        """Render the message for one recipient.

        Args:
            context: plain data only (see :mod:`abm.campaigns.context`).
            between: called between the parts (a sender polls its SMTP connection there).

        Raises:
            RenderError: the template failed; the message names the part and the cause.
        """
        _limits.deadline = time.monotonic() + TIME_LIMIT
        _limits.language = self.language
        try:
            subject = " ".join(_run("subject", self.subject, context).split())[:998]
            _pause(between)
            html = _run("html", self.html, context)
            _pause(between)
            return RenderedMessage(subject, html, _run("text", self.text, context))
        finally:
            _limits.deadline = None


def _pause(between: Callable[[], None] | None) -> None:
    """Call ``between``; the time it takes does not count against the template's limit."""
    if between is not None:
        started = time.monotonic()
        between()
        _limits.deadline += time.monotonic() - started


def _run(part: str, template, context: dict) -> str:
    try:
        chunks = []
        size = 0
        for n, chunk in enumerate(template.root_render_func(template.new_context(context))):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise RenderError(f"the output is longer than {MAX_OUTPUT} characters")
            if n & 63 == 63:
                _check_time()
            chunks.append(chunk)
        return "".join(chunks)
    except RenderError as exc:
        raise RenderError(f"{part}: {exc}") from None
    except SecurityError as exc:
        raise RenderError(f"{part}: not allowed: {exc}") from None
    except TemplateError as exc:
        raise RenderError(f"{part}: {exc.message or type(exc).__name__}") from None
    except RecursionError:
        raise RenderError(f"{part}: the template recurses too deeply") from None
    except Exception as exc:  # noqa: BLE001 - any failure of user code is a render error
        raise RenderError(f"{part}: {type(exc).__name__}: {exc}") from None


def compile_template(subject: str, html: str, text: str, language: str = "en") -> CompiledTemplate:
    """Compile the three parts of a message template.

    Raises:
        RenderError: a part is too long or has a syntax error (with its line).
    """
    compiled = {}
    for part, source, env in (("subject", subject, _TEXT), ("html", html, _HTML),
                              ("text", text, _TEXT)):
        if len(source) > MAX_SOURCE:
            raise RenderError(f"{part}: the template is longer than {MAX_SOURCE} characters")
        try:
            compiled[part] = env.from_string(source)
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f" (line {line})" if line else ""
            raise RenderError(f"{part}{where}: {exc.message or type(exc).__name__}") from None
        except RecursionError:
            raise RenderError(f"{part}: the template nests too deeply") from None
    return CompiledTemplate(language=language, **compiled)


def check_template(subject: str, html: str, text: str, context: dict) -> RenderedMessage:
    """Compile and render once: what an editor calls before saving a template."""
    return compile_template(subject, html, text).render(context)
