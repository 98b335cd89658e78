"""GEXF for Gephi: valid against the GEXF 1.3 grammar, with colours, sizes, positions and times, read back by networkx.

The grammar is the official RELAX NG schema of GEXF 1.3 (``tests/data/gexf-1.3``,
from gephi/gexf, CC BY 4.0), checked with lxml.
"""

from pathlib import Path

import matplotlib.colors as mcolors
import networkx as nx
import numpy as np
import polars as pl
import pytest
from lxml import etree

from sna.analysis.views import graph_views
from sna.export import EDGE_VIZ, NODE_VIZ, gexf_viz, graph_file_tables, write_gexf
from sna.render import style

SCHEMA = Path(__file__).parent.parent / "data" / "gexf-1.3" / "gexf.rng"
GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"


@pytest.fixture(scope="module")
def grammar():
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def write_files(corpus, folder):
    posts, edges, metrics = corpus
    views = graph_views(posts, edges, metrics)
    tables = graph_file_tables(posts, edges, metrics.post_metrics, metrics.author_metrics, metrics.author_edges,
                               views=views)  # fmt: skip
    paths = {}
    for name, (nodes, links) in tables.items():
        paths[name] = folder / f"{name}.gexf"
        weight = "weight" if name == "authors" else None
        kind = "kind" if name == "posts" else None
        write_gexf(paths[name], nodes, links, node_id="id", label="label", weight=weight, edge_kind=kind,
                   node_viz=gexf_viz(nodes, NODE_VIZ), edge_viz=gexf_viz(links, EDGE_VIZ))  # fmt: skip
    return views, paths


@pytest.mark.parametrize("corpus", ["labelled", "seed_corpus", "xss_corpus"])
def test_files_follow_the_gexf_1_3_grammar(corpus, request, tmp_path, grammar):
    _, paths = write_files(request.getfixturevalue(corpus), tmp_path)
    for path in paths.values():
        document = etree.parse(str(path))
        assert grammar.validate(document), grammar.error_log


def test_the_grammar_check_can_fail(tmp_path, grammar):
    bad = tmp_path / "bad.gexf"
    bad.write_text('<?xml version="1.0"?><gexf xmlns="http://gexf.net/1.3" version="1.3"><graph>'
                   '<nodes><node label="no id"/></nodes><edges/></graph></gexf>')  # fmt: skip
    assert not grammar.validate(etree.parse(str(bad)))


def test_viz_and_times_match_the_figures(labelled, tmp_path):
    posts, _edges, _metrics = labelled
    views, paths = write_files(labelled, tmp_path)
    root = etree.parse(str(paths["authors"])).getroot()
    graph = root.find(f"{GEXF}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    view = views["authors"]
    nodes = {n.get("id"): n for n in graph.iter(f"{GEXF}node")}
    assert len(nodes) == view.n
    first_post = posts.group_by("author").agg(pl.col("created_at").min())
    first = dict(first_post.iter_rows())
    pagerank = dict(zip(view.nodes["id"].to_list(), view.pagerank.tolist(), strict=True))
    for row in view.nodes.iter_rows(named=True):
        node = nodes[row["id"]]
        color = node.find(f"{VIZ}color")
        expected = mcolors.to_rgb(style.group_color(row["group"]) if row["group"] else "#D9D9D9")
        assert tuple(int(color.get(c)) for c in "rgb") == tuple(round(v * 255) for v in expected)
        position = node.find(f"{VIZ}position")
        assert float(position.get("x")) == pytest.approx((row["x"] - 0.5) * 1000, abs=0.01)
        assert float(position.get("y")) == pytest.approx((row["y"] - 0.5) * 1000, abs=0.01)
        assert float(node.find(f"{VIZ}size").get("value")) > 0
        assert node.get("start") == first[row["id"]].strftime("%Y-%m-%dT%H:%M:%S")
        assert node.get("label") == row["label"]
    sizes = {i: float(n.find(f"{VIZ}size").get("value")) for i, n in nodes.items()}
    best = max(pagerank, key=pagerank.get)
    assert sizes[best] == max(sizes.values())
    starts = [e.get("start") for e in graph.iter(f"{GEXF}edge")]
    assert all(starts) and min(starts) >= min(n.get("start") for n in nodes.values())
    colors = {tuple(int(e.find(f"{VIZ}color").get(c)) for c in "rgb") for e in graph.iter(f"{GEXF}edge")}
    assert tuple(round(v * 255) for v in mcolors.to_rgb(style.STANCE_COLORS["disagree"])) in colors


def test_networkx_reads_the_files_back_with_attributes_and_times(labelled, tmp_path):
    posts, _edges, metrics = labelled
    _, paths = write_files(labelled, tmp_path)
    authors = nx.read_gexf(paths["authors"])
    assert authors.number_of_nodes() == metrics.author_metrics.height
    assert authors.number_of_edges() == metrics.author_edges.height
    name = metrics.author_metrics["author"][0]
    data = authors.nodes[name]
    assert data["posts"] == metrics.author_metrics["posts"][0] and "start" in data
    assert {"color", "size", "position"} <= set(data["viz"])
    post_graph = nx.read_gexf(paths["posts"])
    assert post_graph.number_of_nodes() == posts.height
    assert all("start" in d for _, _, d in post_graph.edges(data=True))


def test_post_positions_are_the_post_layout(labelled, tmp_path):
    views, paths = write_files(labelled, tmp_path)
    graph = nx.read_gexf(paths["posts"])
    view = views["posts"]
    xy = np.array([[graph.nodes[i]["viz"]["position"][k] for k in ("x", "y")] for i in view.nodes["id"].to_list()])
    assert np.allclose(xy, (view.xy - 0.5) * 1000, atol=0.01)


def test_static_files_stay_static(tmp_path):
    path = tmp_path / "g.gexf"
    write_gexf(path, pl.DataFrame({"id": ["a", "b"]}), pl.DataFrame({"source": ["b"], "target": ["a"]}), node_id="id")
    assert 'mode="static"' in path.read_text() and "start=" not in path.read_text()
    assert set(nx.read_gexf(path).nodes) == {"a", "b"}
