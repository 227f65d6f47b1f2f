"""Every page of the main menu, as the administrator (who sees the whole menu), in both
languages: no horizontal scroll at 1366 or 1024 px, the header keeps the language switch
in view, and a screenshot of each page for the reviewer."""

from __future__ import annotations

import pytest

WIDTHS = (1366, 1024)
HEADER_ROWS_AT_MOST = 3  # the menu may wrap once or twice on a narrow window, not more


def _menu(visitor) -> list[str]:
    return visitor.page.eval_on_selector_all(
        "header.top nav a", "links => links.map(a => a.getAttribute('href'))")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_menu_page_fits_the_window_in_both_languages(served, visit, lang):
    visitor = visit("admin", lang=lang)
    menu = _menu(visitor)
    assert len(menu) >= 11, menu
    for path in menu:
        visitor.go(path)
        visitor.shot("menu-" + (path.strip("/").replace("/", "-") or "dashboard"))
        for width in WIDTHS:
            visitor.page.set_viewport_size({"width": width, "height": 900})
            assert visitor.overflow() == 0, f"{path} in {lang} overflows at {width} px"
            switch = visitor.page.locator("header.top form.languages").bounding_box()
            assert switch["x"] + switch["width"] <= width, f"{path}: language switch hidden"
            header = visitor.page.locator("header.top").bounding_box()
            row = visitor.page.locator("header.top nav a").first.bounding_box()
            assert header["height"] <= HEADER_ROWS_AT_MOST * row["height"] * 1.6 + 24, \
                f"{path} in {lang}: the header wraps into {header['height']:.0f} px at {width}"
        visitor.page.set_viewport_size({"width": 1366, "height": 900})
    assert visitor.errors == []
