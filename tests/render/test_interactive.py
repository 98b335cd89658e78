"""Interactive pages: escaped, offline, reproducible, package-data templates, and the data the filters need."""

import base64
import hashlib
import html
import json
import re

import polars as pl
import pytest

from sna.analysis.pages import page_tables
from sna.analysis.pictures import PictureOptions, picture_data
from sna.render import interactive
from tests.render.fixtures import XSS_AUTHOR


def pages_of(corpus, **options):
    posts, edges, metrics = corpus
    pictures = picture_data(posts, edges, metrics, PictureOptions(**options), pages=True)
    return pictures, {name: interactive.graph_page(view, pictures) for name, view in pictures.pages}


@pytest.fixture(scope="module")
def xss_pages(xss_corpus):
    return pages_of(xss_corpus)[1]


def payload(page):
    match = re.search(r'<script type="application/json" id="sna-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_templates_are_package_data():
    from importlib import resources

    files = {p.name for p in resources.files("sna.render").joinpath("assets").iterdir()}
    assert {"page.html", "page.css", "page.js", "report.html", "report.css", "report.js"} <= files
    assert "snaApply" in interactive.asset("page.js")


def test_payloads_appear_only_escaped(xss_pages):
    vis_js, _ = interactive.vis_assets()
    for page in xss_pages.values():
        lowered = page.replace(vis_js, "").lower()  # vis-network's own code has a "<script>" string
        assert "<script>alert" not in lowered
        assert "<img src=x" not in lowered
        assert lowered.count("<script") == 3  # the data block and the two scripts


def test_payloads_survive_as_text_in_the_data(xss_pages):
    data = payload(xss_pages["authors.html"])
    names = {node["name"] for node in data["info"]}
    assert XSS_AUTHOR in names and "<img src=x onerror=alert(1)>" in names
    posts_data = payload(xss_pages["posts.html"])
    assert any("<img src=x onerror=alert(1)>" in text for text in posts_data["posts"]["text"])


def test_no_src_or_href_points_to_another_host(xss_pages, seed_corpus):
    pages = [*xss_pages.values(), *pages_of(seed_corpus)[1].values()]
    for page in pages:
        for attr, value in re.findall(r"""\b(src|href)\s*=\s*["']?([^"'\s>]*)""", page, re.I):
            assert not re.match(r"(https?:)?//", value, re.I), (attr, value)
        assert not re.search(r"""<link\b""", page, re.I)
        for css in re.findall(r"<style>(.*?)</style>", page, re.S):
            assert not re.search(r"""@import|url\((?!["']?data:)""", css, re.I)


def test_csp_forbids_requests_and_allows_exactly_the_inline_scripts(xss_pages):
    page = xss_pages["posts.html"]
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp.split(";")[1]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_pages_are_identical_on_reruns(labelled):
    assert pages_of(labelled, seed=2)[1] == pages_of(labelled, seed=2)[1]


def test_interactions_add_up_to_the_edges_of_the_page(labelled):
    posts, edges, metrics = labelled
    pictures = picture_data(posts, edges, metrics, pages=True)
    post_view = dict(pictures.pages)["posts.html"]
    tables = page_tables(post_view, posts, edges, metrics)
    assert tables.interactions["n"].sum() == edges.height  # every post is on the page
    assert tables.interactions["stance"].is_in([0, 1, 2]).all()  # every reply is labelled
    assert tables.time_bins is not None and len(tables.time_bins) == 201
    assert (tables.interactions["bin"] >= 0).all()
    names = set(tables.threads["name"].to_list())
    assert names == {"Thread 0: a question", "Thread 1: a question", "Thread 2: a question"}
    author_view = dict(pictures.pages)["authors.html"]
    authors = page_tables(author_view, posts, edges, metrics)
    self_replies = int(metrics.author_metrics["self_replies"].sum())
    assert authors.interactions["n"].sum() == edges.height - self_replies


def test_nodes_carry_positions_from_the_figures_layout(labelled):
    pictures, pages = pages_of(labelled)
    data = payload(pages["authors.html"])
    view = dict(pictures.pages)["authors.html"]
    first = data["nodes"][0]
    expected = interactive.canvas_positions(view.xy, view.n)[0]
    assert (first["x"], first["y"]) == (float(expected[0]), float(expected[1]))
    assert pictures.view.nodes["x"][0] == view.nodes["x"][0]  # the figure's author graph, same place


def test_hide_assumed_starts_with_assumed_links_filtered_out(assumed):
    _, pages = pages_of(assumed, hide_assumed=True)
    page = pages["authors.html"]
    box = re.search(r'<input type="checkbox" data-kind="2"[^>]*>', page).group(0)
    assert "checked" not in box and 'data-default="off"' in box
    _, shown = pages_of(assumed)
    assert "checked" in re.search(r'<input type="checkbox" data-kind="2"[^>]*>', shown["authors.html"]).group(0)


def test_large_graphs_turn_physics_off_and_keep_arrows_while_they_are_cheap():
    small, large = interactive.vis_options(500, 900), interactive.vis_options(5_000, 30_000)
    assert not small["physics"]["enabled"] and not large["physics"]["enabled"]
    assert small["edges"]["arrows"]["to"]["enabled"] and not large["edges"]["arrows"]["to"]["enabled"]
    assert large["interaction"]["hideEdgesOnDrag"] and large["layout"]["improvedLayout"] is False


def test_cut_pages_say_what_they_show(labelled):
    from sna.analysis.views import post_view, select

    posts, edges, metrics = labelled
    view = select(post_view(posts, edges, metrics, max_nodes=None), max_nodes=20)
    pictures = picture_data(posts, edges, metrics)
    page = interactive.graph_page(view, pictures)
    assert f"{posts.height:,} posts" in page and "the 20 posts with the highest PageRank" in page
    assert len(payload(page)["nodes"]) == 20


def test_script_json_cannot_close_the_script_element():
    text = interactive.script_json({"a": "</script><script>alert(1)</script>", "b": "\u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text)["a"] == "</script><script>alert(1)</script>"


def test_post_text_is_cut_to_share_the_budget(labelled):
    posts, edges, metrics = labelled
    long = posts.with_columns(pl.col("text") + " " + "word " * 400)
    pictures = picture_data(long, edges, metrics, pages=True)
    tables = page_tables(dict(pictures.pages)["posts.html"], long, edges, metrics, text_budget=9_000)
    assert tables.text_chars == 100 and tables.posts["text"].str.len_chars().max() == 100


def test_large_pages_open_with_each_nodes_strongest_links(labelled, monkeypatch):
    import numpy as np

    monkeypatch.setattr(interactive, "PAGE_LINKS", 10)
    _, pages = pages_of(labelled)
    data = payload(pages["authors.html"])
    strong = np.array(data["links"]["strong"], dtype=bool)
    assert data["strong_only"] and 0 < strong.sum() < len(strong)
    ends = set(np.array(data["links"]["src"])[strong]) | set(np.array(data["links"]["dst"])[strong])
    linked = set(data["links"]["src"]) | set(data["links"]["dst"])
    assert ends == linked  # every linked node keeps at least one link
    assert 'id="strong"' in pages["authors.html"]


def test_the_group_filter_names_communities_in_the_plural():
    from sna.analysis.report import compute_metrics
    from tests.render.fixtures import labelled_forum

    posts, edges = labelled_forum(stance=False)
    metrics = compute_metrics(posts, edges)
    _, pages = pages_of((posts, edges, metrics))
    assert '<option value="">All communities</option>' in pages["authors.html"]
    assert "communitys" not in pages["authors.html"]
