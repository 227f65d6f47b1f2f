import time
import tracemalloc

import pytest

from abm.campaigns.models import CampaignKind
from abm.campaigns.rendering import TIME_LIMIT, RenderError, compile_template
from abm.campaigns.services import LANGUAGES, default_template

CONTEXT = {
    "account": {"name": "Acme <b>&</b>", "country": "RU"},
    "contact": {"name": "Olga Petrova", "first_name": "Olga"},
    "kam": {"name": "Ivan", "email": "ivan@example.com", "signature": ""},
    "figures": {"revenue_12m": 1000.0, "last_order_month": "2026-01"},
    "top_products": [{"name": "Bolts"}],
    "recommended_products": [{"name": "Nuts"}],
    "offer": {"discount_percent": 12, "link": "https://example.com/offer", "occasion_kind": ""},
    "unsubscribe_url": "https://example.com/u/x",
    "accept_url": "https://example.com/a/x",
}


def render(html: str, subject: str = "s", text: str = "t"):
    return compile_template(subject, html, text).render(CONTEXT)


HOSTILE = {
    "dunder class": "{{ account.__class__ }}",
    "mro": "{{ ''.__class__.__mro__ }}",
    "subclasses": "{{ ().__class__.__base__.__subclasses__() }}",
    "globals": "{{ range.__globals__ }}",
    "template globals": "{{ self.__init__.__globals__ }}",
    "attr filter": "{{ account|attr('__class__') }}",
    "format": "{{ '{0.__class__}'.format(account) }}",
    "format_map": "{{ '{x}'.format_map(account) }}",
    "format filter": "{{ '%s'|format(account) }}",
    "huge range": "{% for i in range(10**7) %}{% endfor %}",
    "string repetition": "{{ 'a' * 10**7 }}",
    "big power": "{{ 2 ** 100000 }}",
    "doubling concat": "{% set a = 'x' * 1000 %}" + "{% set a = a ~ a %}" * 12 + "{{ a }}",
    "output limit": "{% for i in range(9999) %}{{ 'x' * 100 }}{% endfor %}",
    "time limit": "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}",
    "recursion": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "replace blow-up": "{{ account.name|replace('A', 'A' * 5000)|replace('A', 'A' * 5000) }}",
    "wide %-format": "{{ '%099999d' % 1 }}",
    "unsafe method": "{{ account.name.ljust(10**8) }}",
    "mutating method": "{{ top_products.append(1) }}",
    "lipsum": "{{ lipsum(1000) }}",
    "namespace": "{% set ns = namespace(a=1) %}",
    "include": "{% include 'base.html' %}",
    "undefined variable": "{{ nope }}",
    "undefined attribute": "{{ account.nope }}",
    "syntax error": "{% if %}",
    "unknown filter": "{{ account.name|center(100000000) }}",
    "list doubling macro": "{% macro m(l, n) %}{% if n %}{{ m(l + l, n - 1) }}{% endif %}"
                           "{% endmacro %}{{ m([1], 40) }}",
    "number squaring macro": "{% macro sq(x, n) %}{% if n %}{{ sq(x * x, n - 1) }}{% else %}"
                             "{{ x|string|length }}{% endif %}{% endmacro %}{{ sq(7, 30) }}",
    "list sum": "{% set l = [1] * 9999 %}{{ (l + l + l)|length }}",
    "empty loops over a list": "{% set l = [1] * 9999 %}{% for a in l %}{% for b in l %}"
                               "{% endfor %}{% endfor %}",
    "method shown": "{{ account.items }}",
    "method in a list": "{{ [1, [account.keys]] }}",
    "method as text": "{{ account.items|string }}",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_templates_raise_one_clear_error(source):
    with pytest.raises(RenderError) as info:
        render(source)
    assert str(info.value)


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_templates_fail_within_bounded_memory_and_time(source, record_property):
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(RenderError):
            render(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    took = time.monotonic() - started
    record_property("peak_mib", round(peak / 2**20, 1))
    assert peak < 300 * 2**20 and took < 2, (peak, took)


def test_the_error_names_the_part_and_the_line():
    with pytest.raises(RenderError, match=r"html \(line 2\)"):
        compile_template("s", "ok\n{% for %}", "t")


def test_undefined_names_say_which_variable():
    with pytest.raises(RenderError, match="nope"):
        render("{{ account.nope }}")


def test_html_is_autoescaped_and_text_is_not():
    message = compile_template("{{ account.name }}", "{{ account.name }}",
                               "{{ account.name }}").render(CONTEXT)
    assert message.html == "Acme &lt;b&gt;&amp;&lt;/b&gt;"
    assert message.text == "Acme <b>&</b>"


def test_the_time_spent_between_parts_does_not_count_against_the_limit():
    calls = []

    def between() -> None:  # a sender polling its SMTP connection, slowly
        calls.append(time.monotonic())
        time.sleep(TIME_LIMIT * 0.6)

    message = compile_template("{{ account.name }}", "<p>{{ account.name }}</p>",
                               "{{ account.name }}").render(CONTEXT, between=between)
    assert len(calls) == 2
    assert message.html == "<p>Acme &lt;b&gt;&amp;&lt;/b&gt;</p>"
    # ... while the template's own time still counts.
    slow = compile_template("s", "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}"
                            "{% endfor %}", "t")
    with pytest.raises(RenderError, match="took longer than"):
        slow.render(CONTEXT, between=between)


def test_replace_keeps_escaping_in_html():
    assert render("{{ account.name|replace('Acme', 'X') }}").html == "X &lt;b&gt;&amp;&lt;/b&gt;"


def test_the_subject_is_one_line():
    assert render("h", subject="Hello\r\nBcc: x@y.z").subject == "Hello Bcc: x@y.z"


def test_ordinary_template_features_work():
    html = ("{% for p in top_products %}{{ loop.index }}. {{ p.name|upper }}{% endfor %}"
            "{% if offer.discount_percent > 10 %} -{{ offer.discount_percent }}%{% endif %}"
            "{{ ' ' ~ contact.name.split()[0] }}{{ offer.title|default(' none') }}")
    assert render(html).html == "1. BOLTS -12% Olga none"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", [k.value for k in CampaignKind])
def test_every_default_template_renders(kind, language):
    parts = default_template(kind, language)
    message = compile_template(**parts, language=language).render(CONTEXT)
    assert message.subject and "Acme &lt;b&gt;" in message.html
    assert "https://example.com/u/x" in message.text
