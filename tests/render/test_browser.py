"""The pages and the report in a real browser: headless Chromium, network off.

Checks that the graph drew (painted canvas pixels), that no request went
anywhere but the file itself and inline data, that the XSS payloads in
author names and post texts stayed text, and that the filters do what they
say: a stance filter leaves only links of that stance, the time slider
changes the number of links drawn, search finds words in post text, a click
shows a node's posts and links. Two control pages prove that the checks can
fail: one that requests another host, one that calls alert(). Skipped, with
the reason, only where Chromium or chromedriver is missing.
"""

import time

import pytest

from sna.analysis.pictures import PictureOptions, picture_data
from sna.export import atomic_outputs
from sna.render import write_html, write_pictures
from tests.render.browser import Browser, foreign_requests, unavailable_reason
from tests.render.fixtures import XSS_AUTHOR

REASON = unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"headless Chromium unavailable: {REASON}")

VISIBLE_EDGES = "return window.snaNetwork.body.data.edges.get({filter: e => !e.hidden})"


@pytest.fixture(scope="module")
def browser():
    with Browser() as session:
        yield session


def write_pages(corpus, folder, **options):
    posts, edges, metrics = corpus
    pictures = picture_data(posts, edges, metrics, PictureOptions(**options), pages=True)
    with atomic_outputs(folder) as stage:
        write_html(pictures, stage)
    return folder


@pytest.fixture(scope="module")
def xss_dir(xss_corpus, tmp_path_factory):
    return write_pages(xss_corpus, tmp_path_factory.mktemp("xss-pages"))


@pytest.fixture(scope="module")
def labelled_dir(assumed, tmp_path_factory):
    return write_pages(assumed, tmp_path_factory.mktemp("labelled-pages"))


def checked(browser, selector, on):
    browser.run("var b = document.querySelector(arguments[0]); b.checked = arguments[1];"
                "b.dispatchEvent(new Event('change'));", selector, on)  # fmt: skip


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


def test_tooltips_and_details_show_payloads_as_text(browser, xss_dir):
    browser.open(xss_dir / "authors.html")
    node = browser.run("return window.snaNetwork.body.data.nodes.getIds().find("
                       "i => document.getElementById('sna-data') && JSON.parse("
                       "document.getElementById('sna-data').textContent).info[i].name === arguments[0]);",
                       XSS_AUTHOR)  # fmt: skip
    browser.run("window.snaNetwork.emit('hoverNode', {node: arguments[0], pointer: {DOM: {x: 40, y: 40}}});", node)
    text, dangerous, display = browser.run("var t = document.getElementById('tip'); return [t.textContent,"
                                           " t.querySelectorAll('script, img').length, t.style.display];")  # fmt: skip
    assert XSS_AUTHOR in text and display == "block" and dangerous == 0
    browser.run("window.snaShowDetails(arguments[0]);", node)
    details = browser.run(
        "var d = document.getElementById('details'); return [d.textContent,"
        " d.querySelectorAll('script, img').length, d.querySelectorAll('.post').length];"
    )
    assert XSS_AUTHOR in details[0] and details[1] == 0 and details[2] >= 1
    assert browser.run("return window.__alerts") == []


def test_search_finds_words_in_post_text(browser, xss_dir):
    browser.open(xss_dir / "posts.html")
    browser.run("var f = document.getElementById('find'); f.value = 'onerror=alert';"
                "f.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));")  # fmt: skip
    matches = browser.run("return window.snaState.matches")
    assert matches >= 1 and "match" in browser.run("return document.getElementById('status').textContent")
    assert len(browser.run("return window.snaNetwork.getSelectedNodes()")) == matches


def test_a_stance_filter_leaves_only_links_of_that_stance(browser, labelled_dir):
    browser.open(labelled_dir / "authors.html")
    before = browser.run("return window.snaState.edges")
    for stance in (1, 2, 3):
        checked(browser, f"input[data-stance='{stance}']", False)
    state = browser.run("return window.snaState")
    visible = browser.run(VISIBLE_EDGES)
    agree = browser.run("return JSON.parse(document.getElementById('sna-data').textContent).colors.agree")
    assert 0 < state["edges"] < before and len(visible) == state["edges"]
    assert {e["color"]["color"] for e in visible} == {agree}


def test_link_kind_filter_hides_assumed_links(browser, labelled_dir):
    browser.open(labelled_dir / "posts.html")
    before = browser.run("return window.snaState.edges")
    checked(browser, "input[data-kind='2']", False)
    after = browser.run("return window.snaState.edges")
    assert 0 < after < before
    assert all(not e.get("dashes") for e in browser.run(VISIBLE_EDGES))


def test_the_time_slider_changes_the_links_drawn(browser, labelled_dir):
    browser.open(labelled_dir / "posts.html")
    before = browser.run("return window.snaState.edges")
    browser.run("var t = document.getElementById('to'); t.value = String(Math.floor(Number(t.max) / 2));"
                "t.dispatchEvent(new Event('input')); window.snaApply(false);")  # fmt: skip
    after = browser.run("return window.snaState")
    assert 0 < after["edges"] < before and len(browser.run(VISIBLE_EDGES)) == after["edges"]
    assert after["nodes"] < browser.run("return window.snaNetwork.body.data.nodes.length")
    assert "–" in browser.run("return document.getElementById('time-label').textContent")


def test_a_large_page_opens_with_the_strongest_links_and_shows_all_on_request(browser, assumed, tmp_path, monkeypatch):
    from sna.render import interactive

    monkeypatch.setattr(interactive, "PAGE_LINKS", 10)
    write_pages(assumed, tmp_path)
    browser.open(tmp_path / "authors.html")
    strong = browser.run("return window.snaState.edges")
    checked(browser, "#strong", False)
    everything = browser.run("return window.snaState.edges")
    assert 0 < strong < everything


def test_thread_and_camp_filters(browser, labelled_dir):
    browser.open(labelled_dir / "posts.html")
    total = browser.run("return window.snaState.nodes")
    browser.run("var s = document.getElementById('thread'); s.value = '0'; s.dispatchEvent(new Event('change'));")
    in_thread = browser.run("return window.snaState.nodes")
    assert 0 < in_thread < total
    browser.open(labelled_dir / "authors.html")
    browser.run("var c = document.getElementById('group'); c.value = '1'; c.dispatchEvent(new Event('change'));")
    count = "return window.snaNetwork.body.data.nodes.get({filter: n => %s}).length"
    assert browser.run(count % "n.hidden") > 0 and browser.run(count % "!n.hidden") > 0


def test_the_report_opens_offline_sorts_its_tables_and_links_every_file(browser, labelled, tmp_path):
    posts, edges, metrics = labelled
    pictures = picture_data(posts, edges, metrics, pages=True)
    with atomic_outputs(tmp_path) as stage:
        names = write_pictures(pictures, stage, folder=tmp_path)
    browser.driver.get((tmp_path / "report.html").resolve().as_uri())
    ready = "return document.body && document.body.getAttribute('data-ready')"
    deadline = time.monotonic() + 60
    while browser.run(ready) != "1" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert browser.run(ready) == "1"
    links = set(browser.run("return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"))
    assert set(names) <= links
    assert browser.run("return document.querySelectorAll('figure img').length") >= 5
    first = "return document.querySelector('table.sortable tbody tr td').textContent"
    before = browser.run(first)
    browser.run("document.querySelectorAll('table.sortable')[1].querySelector('th button').click();")
    browser.run("document.querySelectorAll('table.sortable')[1].querySelector('th button').click();")
    assert browser.run("return document.querySelectorAll('th[aria-sort]').length") == 1
    assert before
    errors = [e for e in browser.driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == []


def test_seed_thread_pages_draw(browser, seed_corpus, tmp_path):
    write_pages(seed_corpus, tmp_path)
    for name in ("authors.html", "posts.html"):
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
