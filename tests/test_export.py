"""Graph files and tables: written atomically, read back with the right types."""

import networkx as nx
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sna.export import atomic_outputs, write_gexf, write_graphml

NODES = pl.DataFrame(
    {
        "id": ["a", "b", "c"],
        "name": ['A <&> "co"', None, "line\nbreak"],
        "count": [1, 2, None],
        "score": [0.5, float("nan"), 1.25],
        "flag": [True, False, None],
    }
)
LINKS = pl.DataFrame(
    {"source": ["b", "b", "c"], "target": ["a", "a", "a"], "kind": ["quote", "reply", "quote"], "weight": [1, 1, 2]}
)


def test_gexf_round_trip_keeps_types_parallel_edges_and_escapes(tmp_path):
    path = tmp_path / "g.gexf"
    write_gexf(path, NODES, LINKS, node_id="id", weight="weight", edge_kind="kind")
    graph = nx.read_gexf(path)
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.number_of_edges() == 3
    assert graph.nodes["a"]["name"] == 'A <&> "co"'
    assert graph.nodes["c"]["name"] == "line\nbreak"
    assert graph.nodes["a"]["count"] == 1 and isinstance(graph.nodes["a"]["count"], int)
    assert graph.nodes["a"]["score"] == 0.5
    assert "score" not in graph.nodes["b"]  # NaN is missing, not a number
    assert graph.nodes["a"]["flag"] is True and "flag" not in graph.nodes["c"]
    assert sorted(d["kind"] for _, _, d in graph.edges(data=True)) == ["quote", "quote", "reply"]


def test_graphml_round_trip(tmp_path):
    path = tmp_path / "g.graphml"
    write_graphml(path, NODES, LINKS, node_id="id")
    graph = nx.read_graphml(path, force_multigraph=True)
    assert graph.number_of_edges() == 3
    assert graph.nodes["a"] == {"name": 'A <&> "co"', "count": 1, "score": 0.5, "flag": True}
    assert graph.nodes["b"] == {"count": 2, "flag": False}
    assert sorted(d["weight"] for _, _, d in graph.edges(data=True)) == [1, 1, 2]


@pytest.mark.parametrize("write", [write_gexf, write_graphml])
def test_graph_files_written_in_chunks_match_one_chunk(tmp_path, monkeypatch, write):
    """Lines are formatted a chunk at a time; edge ids keep counting over the whole table."""
    nodes = pl.DataFrame({"id": [f"n{i}" for i in range(7)], "count": list(range(-3, 4))})
    links = pl.DataFrame({"source": [f"n{i}" for i in range(6)], "target": [f"n{i + 1}" for i in range(6)],
                          "weight": [1, 2, 3, 4, 5, -6], "note": ["<a>", None, "b&c", "", '"', "x"]})  # fmt: skip
    write(tmp_path / "whole", nodes, links, node_id="id")
    monkeypatch.setattr("sna.export.LINE_CHUNK_ROWS", 4)
    write(tmp_path / "chunked", nodes, links, node_id="id")
    text = (tmp_path / "chunked").read_text()
    assert text == (tmp_path / "whole").read_text()
    assert 'id="e5"' in text or 'id="5"' in text
    assert ">-3<" in text or 'value="-3"' in text


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=6, unique=True), st.text(max_size=40))
def test_property_any_text_survives_graph_files(tmp_path_factory, ids, label):
    folder = tmp_path_factory.mktemp("g")
    nodes = pl.DataFrame({"id": ids, "label_text": [label] * len(ids)})
    links = pl.DataFrame({"source": ids[1:], "target": ids[:-1]}, schema={"source": pl.String, "target": pl.String})
    write_gexf(folder / "g.gexf", nodes, links, node_id="id")
    write_graphml(folder / "g.graphml", nodes, links, node_id="id")
    # XML cannot hold control characters: those are dropped, everything else survives.
    clean = "".join(ch for ch in label if ch in "\t\n\r" or ord(ch) >= 32).replace("\r\n", "\n").replace("\r", "\n")
    for graph in (nx.read_gexf(folder / "g.gexf"), nx.read_graphml(folder / "g.graphml")):
        assert graph.number_of_nodes() == len({"".join(c for c in i if ord(c) >= 32 or c in "\t\n\r") for i in ids})
        for _, data in graph.nodes(data=True):
            if clean:
                assert data["label_text"].replace("\r\n", "\n").replace("\r", "\n") == clean


def test_atomic_outputs_leave_nothing_on_failure(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_outputs(out) as stage:
        stage("a.csv").write_text("partial")
        raise RuntimeError("boom")
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no folder, no staging, no lock file


def test_atomic_file_replaces_in_one_rename_and_leaves_nothing_on_failure(tmp_path):
    from sna.outputs import atomic_file

    target = tmp_path / "deep" / "pred.csv"
    with pytest.raises(RuntimeError), atomic_file(target) as temporary:
        temporary.write_text("partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []  # no file, no temporary, no parent folder
    with atomic_file(target) as temporary:
        temporary.write_text("a\n")
    assert target.read_text() == "a\n" and sorted(p.name for p in target.parent.iterdir()) == ["pred.csv"]


def test_switch_without_renameat2_uses_two_renames(tmp_path, monkeypatch):
    import sna.outputs
    from sna.outputs import read_manifest

    monkeypatch.setattr(sna.outputs, "_exchange", lambda a, b: False)  # e.g. macOS, or an old kernel
    out = tmp_path / "out"
    for text in ("one", "two"):
        with atomic_outputs(out) as stage:
            stage("a.txt").write_text(text)
    assert (out / "a.txt").read_text() == "two" and read_manifest(out).names() == ["a.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_parts_replace_their_own_files_only(tmp_path):
    from sna.outputs import output_folders, read_manifest

    out = tmp_path / "out"
    with atomic_outputs(out, part="figures", replaces=["figures"]) as stage:
        stage("old.png").write_bytes(b"1")
        stage("network.png").write_bytes(b"1")
    with atomic_outputs(out, part="html", replaces=["html"]) as stage:
        stage("authors.html").write_text("<p>")
    with atomic_outputs(out, part="figures", replaces=["figures"]) as stage:
        stage("network.png").write_bytes(b"2")
    manifest = read_manifest(out)
    assert manifest.names("figures") == ["network.png"] and manifest.names("html") == ["authors.html"]
    assert not (out / "old.png").exists() and (out / "network.png").read_bytes() == b"2"
    with pytest.raises(Exception, match="contains the output folder"), output_folders() as outputs:
        outputs.folder(out / "inner")
        outputs.folder(out)
    with pytest.raises(Exception, match="cannot write"), atomic_outputs(out, part="x", replaces=["x"]) as stage:
        stage("../escape.txt")
    assert not (tmp_path / "escape.txt").exists()


def test_post_tables_select_lazily_as_an_eager_select_would():
    """The graph files' post tables (a lazy select) equal an eager select (long texts, whitespace, nulls)."""
    from sna.graph import excerpt, post_edge_table, post_node_table

    texts = ["short", "  spaced \n\n out\ttext  ", "word " * 100, None, "x" * 79, "y" * 80 + " z"]
    posts = pl.DataFrame(
        {"post_id": [str(i) for i in range(6)], "thread_id": ["t"] * 6, "author": ["a", None, "b", "c", "a", "b"],
         "position": list(range(1, 7)), "created_at": [None] * 6, "text": texts},
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )  # fmt: skip
    edges = pl.DataFrame(
        {"source": ["1"] * 6, "target": ["0"] * 6, "kind": ["quote"] * 6, "stance": [None] * 6,
         "stance_score": [None] * 6, "quoted_text": texts},
        schema_overrides={"stance": pl.String, "stance_score": pl.Float64},
    )  # fmt: skip
    eager_nodes = posts.select(
        "post_id", "thread_id", "author", "position",
        pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ").alias("created_at"), excerpt("text").alias("excerpt"),
    )  # fmt: skip
    eager_links = edges.select(
        "source", "target", "kind", "stance", "stance_score", excerpt("quoted_text").alias("quoted")
    )  # fmt: skip
    assert post_node_table(posts).equals(eager_nodes)
    assert post_edge_table(edges).equals(eager_links)
