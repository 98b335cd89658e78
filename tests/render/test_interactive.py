"""Interactive pages: escaped, offline, reproducible, and fast options for large graphs."""

import base64
import hashlib
import html
import json
import re

import pytest

from sna.render import interactive
from sna.render.views import author_view, post_view
from tests.render.fixtures import XSS_AUTHOR


@pytest.fixture(scope="module")
def xss_pages(xss_corpus):
    posts, edges, metrics = xss_corpus
    return {
        "authors": interactive.graph_page(author_view(metrics, posts)),
        "posts": interactive.graph_page(post_view(posts, edges, metrics)),
    }


def payload(page):
    match = re.search(r'<script type="application/json" id="sna-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_payloads_appear_only_escaped(xss_pages):
    vis_js, _ = interactive.vis_assets()
    for page in xss_pages.values():
        lowered = page.replace(vis_js, "").lower()  # vis-network's own code has a "<script>" string
        assert "<script>alert" not in lowered
        assert "<img src=x" not in lowered
        # the only raw "<script" tags are the page's own three
        assert lowered.count("<script") == 3


def test_payloads_survive_as_text_in_the_data(xss_pages, xss_corpus):
    data = payload(xss_pages["authors"])
    names = {node["name"] for node in data["nodes"]}
    assert XSS_AUTHOR in names and "<img src=x onerror=alert(1)>" in names
    posts_data = payload(xss_pages["posts"])
    assert any("<img src=x onerror=alert(1)>" in node.get("excerpt", "") for node in posts_data["nodes"])
    assert any(node.get("author") == XSS_AUTHOR for node in posts_data["nodes"])


def test_legend_names_are_html_escaped(xss_pages):
    legend = xss_pages["authors"].split("<aside>")[1].split("</aside>")[0]
    if "script" in legend:
        assert "&lt;script&gt;" in legend


def test_no_src_or_href_points_to_another_host(xss_pages, seed_corpus):
    posts, edges, metrics = seed_corpus
    pages = [*xss_pages.values(), interactive.graph_page(post_view(posts, edges, metrics))]
    for page in pages:
        for attr, value in re.findall(r"""\b(src|href)\s*=\s*["']?([^"'\s>]*)""", page, re.I):
            assert not re.match(r"(https?:)?//", value, re.I), (attr, value)
        assert not re.search(r"""<link\b""", page, re.I)
        for css in re.findall(r"<style>(.*?)</style>", page, re.S):
            assert not re.search(r"""@import|url\((?!["']?data:)""", css, re.I)


def test_csp_forbids_requests_and_allows_exactly_the_inline_scripts(xss_pages):
    page = xss_pages["posts"]
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp.split(";")[1]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_vis_network_comes_from_the_pyvis_package_inlined():
    script, css = interactive.vis_assets()
    assert "vis-network" in script[:200] and len(script) > 100_000
    assert "sourceMappingURL" not in script and ".vis-tooltip" in css


def test_pages_are_identical_on_reruns(labelled):
    posts, _, metrics = labelled
    first = interactive.graph_page(author_view(metrics, posts), seed=2)
    second = interactive.graph_page(author_view(metrics, posts), seed=2)
    assert first == second


def test_nodes_carry_position_colour_metrics_and_legend_camps(labelled):
    posts, _, metrics = labelled
    data = interactive.page_data(author_view(metrics, posts))
    node = data["nodes"][0]
    assert {"x", "y", "size", "color", "name", "camp", "m", "excerpt"} <= node.keys()
    assert data["fields"][data["field_keys"].index("pagerank")] == "PageRank"
    assert data["has_stance"] and data["camps"][0]["camp"] == 1
    labelled_nodes = [n for n in data["nodes"] if "label" in n]
    assert len(labelled_nodes) == min(interactive.LABELLED_NODES, len(data["nodes"]))
    edge = data["edges"][0]
    assert edge["stance"] in ("agree", "neutral", "disagree") and edge["color"].startswith("#")


def test_large_graphs_turn_physics_off_and_stay_under_the_node_cap():
    small, large = interactive.vis_options(500), interactive.vis_options(5_000)
    assert small["physics"]["enabled"] and not large["physics"]["enabled"]
    assert large["edges"]["smooth"] is False and large["layout"]["improvedLayout"] is False
    assert large["interaction"]["hideEdgesOnDrag"]
    assert interactive.MAX_PAGE_NODES == 10_000


def test_pages_without_stance_say_so(seed_corpus):
    posts, edges, metrics = seed_corpus
    page = interactive.graph_page(post_view(posts, edges, metrics))
    assert "no stance labels, so no camps" in page and "Links: kind (no stance labels)" in page


def test_script_json_cannot_close_the_script_element():
    text = interactive.script_json({"a": "</script><script>alert(1)</script>", "b": "\u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text)["a"] == "</script><script>alert(1)</script>"


def test_cut_pages_say_what_they_show(labelled):
    posts, edges, metrics = labelled
    page = interactive.graph_page(post_view(posts, edges, metrics, max_nodes=20))
    assert f"{posts.height:,} posts" in page and "showing the 20 posts with the highest PageRank" in page
    assert len(payload(page)["nodes"]) == 20
