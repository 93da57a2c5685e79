"""The page in Simplified Chinese: a zh-CN browser gets Chinese, with no English left.

Everything visible (and every tooltip and accessible name) is scanned for
English words once the venue's own data (names and ids from the venue file,
which are the venue's, not the UI's) and unit symbols are taken out. The
language can be switched back to English from the header.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DemoApp, sign_in

pytestmark = pytest.mark.e2e

# Symbols and names that are the same in Chinese UIs: units, chemical formulae,
# standards, the product name, time-zone abbreviations, Fruin letters, ASHRAE classes.
ALLOWED = {
    "venue-twin",
    "co₂",
    "lx",
    "ppm",
    "rh",
    "lb/t",
    "m/s",  # SI symbols of speed (walking, vibration velocity)
    "mm/s",
    "esc",
    "home",
    "utc",
    "gmt",
    "bst",
    "cst",
    "english",
}
WORD = re.compile(r"[A-Za-z][A-Za-z/₂-]+")

VISIBLE_TEXT_JS = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim()) continue;
    if (el.closest('option')) continue;  // the language menu names each language in itself
    const style = getComputedStyle(el);
    const hidden = style.visibility === 'hidden' || style.display === 'none';
    if (el.closest('[hidden]') || hidden) continue;
    out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('[title],[aria-label],[placeholder]')) {
    if (el.closest('[hidden]')) continue;
    for (const a of ['title', 'aria-label', 'placeholder']) {
      const v = el.getAttribute(a);
      if (v) out.push(v);
    }
  }
  return out;
}
"""


@pytest.fixture
def zh_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1600, "height": 900}, color_scheme="dark", locale="zh-CN"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def _venue_words(app: DemoApp, page: Page) -> set[str]:
    """Names and ids from the venue file: the venue's data, shown as written."""
    session = page.evaluate("() => JSON.parse(sessionStorage.getItem('venue-twin.session'))")
    headers = {"Authorization": f"Bearer {session['token']}"}
    req = urllib.request.Request(app.base_url + "/api/venues", headers=headers)
    venues = json.loads(urllib.request.urlopen(req, timeout=10).read())
    words: set[str] = {session["username"].lower()}  # the signed-in user's name
    for summary in venues:
        req = urllib.request.Request(f"{app.base_url}/api/venues/{summary['id']}", headers=headers)
        venue = json.loads(urllib.request.urlopen(req, timeout=10).read())
        items = [venue, *venue["zones"], *venue["sensors"], *venue.get("artefacts", [])]
        items += venue.get("gates", [])
        for item in items:
            for field in ("id", "name", "zone"):
                value = item.get(field)
                if isinstance(value, str):
                    words.update(w.lower() for w in WORD.findall(value))
        words.update(w.lower() for w in WORD.findall(venue.get("timezone") or ""))
    return words


def _english_left(texts: list[str], venue: set[str]) -> list[str]:
    found = []
    for text in texts:
        for word in WORD.findall(text):
            lower = word.lower()
            parts = set(re.split(r"[-/]", lower)) - {""}
            if lower in ALLOWED or lower in venue or parts <= venue | ALLOWED:
                continue
            found.append(f"{word!r} in {text[:80]!r}")
    return found


def test_a_chinese_browser_gets_a_page_without_english(
    demo_app: DemoApp, zh_page: Page, screenshot_dir: Path
) -> None:
    sign_in(zh_page, demo_app, "operator")
    assert zh_page.evaluate("document.documentElement.lang") == "zh-CN"
    assert zh_page.get_by_test_id("login-submit").count() == 0
    # Wait for live values and an alarm or two, so their texts are scanned too.
    zh_page.wait_for_function(
        "() => document.querySelector('[data-testid=connection]').dataset.state === 'live'"
    )
    zh_page.wait_for_timeout(4000)
    venue = _venue_words(demo_app, zh_page)
    texts = zh_page.evaluate(VISIBLE_TEXT_JS)
    assert any("报警" in t for t in texts) and any("传感器" in t for t in texts)
    leftovers = _english_left(texts, venue)
    # Open a zone and the alarm log too: their panels must be Chinese as well.
    zh_page.get_by_test_id("tab-zones").click()
    zh_page.locator("[data-testid^=zone-row-]").first.click()
    zh_page.wait_for_timeout(500)
    leftovers += _english_left(zh_page.evaluate(VISIBLE_TEXT_JS), venue)
    zh_page.screenshot(path=str(screenshot_dir / "viewer-zh-CN.png"))
    assert not leftovers, "untranslated English:\n" + "\n".join(sorted(set(leftovers)))


def test_the_language_can_be_switched_and_is_remembered(demo_app: DemoApp, zh_page: Page) -> None:
    sign_in(zh_page, demo_app, "viewer")
    assert zh_page.get_by_test_id("logout").inner_text() == "退出登录"
    zh_page.get_by_test_id("language").select_option("en")
    zh_page.wait_for_function(
        "() => window.__venueTwin && window.__venueTwin.ready", timeout=60_000
    )
    assert zh_page.get_by_test_id("logout").inner_text() == "Log out"
    assert zh_page.evaluate("document.documentElement.lang") == "en"
    zh_page.reload()
    zh_page.wait_for_function(
        "() => window.__venueTwin && window.__venueTwin.ready", timeout=60_000
    )
    assert zh_page.get_by_test_id("logout").inner_text() == "Log out"
