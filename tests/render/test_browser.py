"""The pages in a real browser: headless Chromium, network off.

Checks that the graph drew (painted canvas pixels), that no request went
anywhere but the file itself and inline data, and that the XSS payloads in
author names and post texts stayed text. Two control pages prove that the
checks can fail: one that requests another host, one that calls alert().
Skipped, with the reason, only where Chromium or chromedriver is missing.
"""

import pytest

from sna.export import atomic_outputs
from sna.render import write_html
from tests.render.browser import Browser, foreign_requests, unavailable_reason
from tests.render.fixtures import XSS_AUTHOR

REASON = unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"headless Chromium unavailable: {REASON}")


@pytest.fixture(scope="module")
def browser():
    with Browser() as session:
        yield session


@pytest.fixture(scope="module")
def xss_dir(xss_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("xss-pages")
    with atomic_outputs(out) as stage:
        write_html(*xss_corpus, stage)
    return out


@pytest.mark.parametrize("page", ["authors.html", "posts.html"])
def test_xss_pages_draw_offline_and_run_no_payload(browser, xss_dir, page):
    report = browser.open(xss_dir / page)
    assert report.drawn, report.errors
    assert report.painted_pixels > 2_000
    assert foreign_requests(report.requests) == []
    assert report.requests and report.requests[0].startswith("file:")
    assert report.alerts == []
    assert report.errors == []  # no script errors, no CSP violations
    assert browser.run("return document.querySelectorAll('img, iframe, object, embed').length") == 0
    names = browser.run("return Array.from(document.querySelectorAll('#names option')).map(o => o.value)")
    assert XSS_AUTHOR in names


def test_tooltips_show_payloads_as_text(browser, xss_dir):
    browser.open(xss_dir / "authors.html")
    node = browser.run(
        "return window.snaNetwork.body.data.nodes.get().find(n => n.name === arguments[0]).id;", XSS_AUTHOR
    )
    browser.run("window.snaNetwork.emit('hoverNode', {node: arguments[0], pointer: {DOM: {x: 40, y: 40}}});", node)
    tip = browser.run("var t = document.getElementById('tip'); return [t.textContent, t.querySelectorAll('*').length,"
                      " t.querySelectorAll('script, img').length, t.style.display];")  # fmt: skip
    text, elements, dangerous, display = tip
    assert XSS_AUTHOR in text and display == "block"
    assert elements > 0 and dangerous == 0
    assert browser.run("return window.__alerts") == []


def test_search_and_camp_filter(browser, xss_dir):
    browser.open(xss_dir / "authors.html")
    browser.run("var f = document.getElementById('find'); f.value = '<script>';"
                "f.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));")  # fmt: skip
    assert browser.run("return document.getElementById('status').textContent") == "1 match"
    assert len(browser.run("return window.snaNetwork.getSelectedNodes()")) == 1
    browser.run("var c = document.getElementById('camp'); c.value = '1'; c.dispatchEvent(new Event('change'));")
    count = "return window.snaNetwork.body.data.nodes.get({filter: n => %s}).length"
    hidden = browser.run(count % "n.hidden")
    in_camp = browser.run(count % "!n.hidden && n.camp === 1")
    others = browser.run(count % "!n.hidden && n.camp !== 1")
    assert hidden > 0 and in_camp > 0 and others == 0


def test_seed_thread_pages_draw(browser, seed_corpus, tmp_path):
    with atomic_outputs(tmp_path) as stage:
        names = write_html(*seed_corpus, stage)
    for name in names:
        report = browser.open(tmp_path / name)
        assert report.drawn and report.painted_pixels > 2_000, name
        assert foreign_requests(report.requests) == [] and report.alerts == [] and report.errors == []


def test_the_checks_catch_a_page_that_reaches_out_or_runs_a_payload(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="https://example.org/pixel.png">'
        "<script>alert(1); fetch('//example.org/x').catch(function () {});</script>"
        "<script>throw new Error('boom');</script></body></html>"
    )
    report = browser.open(page, timeout=2)
    assert not report.drawn
    assert any("example.org" in url for url in foreign_requests(report.requests))
    assert report.alerts == ["alert:1"]
    assert any("boom" in error for error in report.errors)
