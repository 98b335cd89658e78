"""Writing tables and graph files.

Commands write them through :func:`sna.outputs.atomic_outputs` (re-exported
here): into a staging folder beside the output folder, switched into place in
one rename when every file is complete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

import polars as pl

from sna.errors import SnaError
from sna.outputs import atomic_file, atomic_outputs, output_folders

__all__ = ["atomic_file", "atomic_outputs", "output_folders", "write_gexf", "write_graphml", "write_json",
           "write_table", "write_tables"]  # fmt: skip


def write_table(df: pl.DataFrame, path: Path) -> None:
    """Write a table in the format its suffix names (.csv, .parquet, .json, .jsonl).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_table(pl.DataFrame({"a": [1]}), p)
    >>> p.read_text()
    'a\\n1\\n'
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.write_csv(path)
    elif suffix == ".parquet":
        df.write_parquet(path, statistics=False)
    elif suffix == ".jsonl":
        df.write_ndjson(path)
    elif suffix == ".json":
        df.write_json(path)
    else:
        raise SnaError(f"{path}: cannot write tables as {suffix!r} (use .csv, .parquet, .json or .jsonl)")


def write_tables(jobs: list[tuple[pl.DataFrame, Path]], *, workers: int = 2) -> None:
    """Write several tables at once (polars releases the GIL while it writes).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_tables([(pl.DataFrame({"a": [1]}), folder / "a.csv"), (pl.DataFrame({"b": [2]}), folder / "b.parquet")])
    >>> sorted(p.name for p in folder.iterdir())
    ['a.csv', 'b.parquet']
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(write_table, df, path) for df, path in jobs]:
            future.result()


def write_json(data: object, path: Path) -> None:
    """Write ``data`` as indented, key-sorted JSON (stable across runs)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")


# Graph files --------------------------------------------------------------
#
# networkx's GEXF/GraphML writers build an element tree per node and take
# minutes for a million posts; these writers format whole columns at once.
# Tests read the files back with networkx and check every attribute's type.

_XML_BAD = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


def _xml_text(expr: pl.Expr) -> pl.Expr:
    """XML-escape a column as text (attribute-safe)."""
    return (
        expr.cast(pl.String)
        .str.replace_all(_XML_BAD, "")
        .str.replace_many(["&", "<", ">", '"', "\n", "\r", "\t"],
                          ["&amp;", "&lt;", "&gt;", "&quot;", "&#10;", "&#13;", "&#9;"])
    )  # fmt: skip


def _value(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Boolean:
        return pl.when(expr).then(pl.lit("true")).when(~expr).then(pl.lit("false"))
    if dtype.is_float():
        return pl.when(expr.is_finite()).then(expr.round_sig_figs(7).cast(pl.String))
    if isinstance(dtype, pl.Datetime):
        return expr.dt.to_string("%Y-%m-%dT%H:%M:%SZ")
    return _xml_text(expr)


def _type_name(dtype: pl.DataType, flavour: str) -> str:
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer():
        return "long"
    if dtype.is_float():
        return "double"
    return "string"


def _attribute_columns(df: pl.DataFrame, skip: tuple[str, ...]) -> list[tuple[str, pl.DataType]]:
    return [(name, dtype) for name, dtype in df.schema.items() if name not in skip and dtype != pl.Null]


def _write_lines(out: TextIO, df: pl.DataFrame, pieces: list[pl.Expr]) -> None:
    """Write one line per row, built from ``pieces`` (already XML-escaped)."""
    out.flush()
    lines = df.select(pl.concat_str(pieces, ignore_nulls=True).alias("line"))
    if lines.height:
        lines.write_csv(out, include_header=False, quote_style="never")


def write_gexf(
    path: Path,
    nodes: pl.DataFrame,
    links: pl.DataFrame,
    *,
    node_id: str,
    label: str | None = None,
    weight: str | None = None,
    edge_kind: str | None = None,
    description: str = "",
) -> None:
    """Write a directed graph as GEXF 1.2 from a node table and an edge table.

    Parameters
    ----------
    path : Path
        Output file.
    nodes : pl.DataFrame
        One row per node; ``node_id`` names the id column, every other column
        becomes a typed node attribute.
    links : pl.DataFrame
        ``source``, ``target`` and attribute columns. Parallel edges are
        allowed (each gets its own id).
    node_id, label : str
        Columns with the node id and the node label (defaults to the id).
    weight : str, optional
        Edge column to write as the GEXF ``weight``.
    edge_kind : str, optional
        Edge column to write as the GEXF edge ``kind`` (parallel edges of
        different kinds).
    description : str
        Free text for the file's ``<meta>``.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> path = Path(tempfile.mkdtemp()) / "g.gexf"
    >>> write_gexf(path, pl.DataFrame({"id": ["a", "b"], "posts": [2, 1]}),
    ...            pl.DataFrame({"source": ["b"], "target": ["a"], "w": [3]}), node_id="id", weight="w")
    >>> g = nx.read_gexf(path)
    >>> g.nodes["a"]["posts"], g.edges["b", "a"]["weight"]
    (2, 3.0)
    """
    node_attrs = _attribute_columns(nodes, (node_id,))
    edge_attrs = _attribute_columns(links, ("source", "target"))

    def declarations(kind: str, attrs: list[tuple[str, pl.DataType]]) -> str:
        rows = "".join(
            f'      <attribute id="{i}" title="{name}" type="{_type_name(dtype, "gexf")}"/>\n'
            for i, (name, dtype) in enumerate(attrs)
        )
        return f'    <attributes class="{kind}" mode="static">\n{rows}    </attributes>\n'

    def attvalues(attrs: list[tuple[str, pl.DataType]]) -> list[pl.Expr]:
        pieces: list[pl.Expr] = [pl.lit("<attvalues>")]
        for i, (name, dtype) in enumerate(attrs):
            value = _value(pl.col(name), dtype)
            pieces.append(pl.format(f'<attvalue for="{i}" value="{{}}"/>', value))
        pieces.append(pl.lit("</attvalues>"))
        return pieces

    node_pieces = [
        pl.format('      <node id="{}" label="{}">', _xml_text(pl.col(node_id)), _xml_text(pl.col(label or node_id))),
        *attvalues(node_attrs),
        pl.lit("</node>"),
    ]
    edge_head = [pl.lit('      <edge id="'), pl.int_range(pl.len()).cast(pl.String)]
    edge_head += [pl.format('" source="{}" target="{}"', _xml_text(pl.col("source")), _xml_text(pl.col("target")))]
    if weight:
        edge_head.append(pl.format(' weight="{}"', pl.col(weight).cast(pl.Float64).cast(pl.String)))
    if edge_kind:
        edge_head.append(pl.format(' kind="{}"', _xml_text(pl.col(edge_kind))))
    edge_pieces = [*edge_head, pl.lit(">"), *attvalues(edge_attrs), pl.lit("</edge>")]
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n')
        out.write(f"  <meta><creator>sna</creator><description>{escape_xml(description)}</description></meta>\n")
        out.write('  <graph mode="static" defaultedgetype="directed">\n')
        out.write(declarations("node", node_attrs))
        out.write(declarations("edge", edge_attrs))
        out.write("    <nodes>\n")
        _write_lines(out, nodes, node_pieces)
        out.write("    </nodes>\n    <edges>\n")
        _write_lines(out, links, edge_pieces)
        out.write("    </edges>\n  </graph>\n</gexf>\n")


def write_graphml(path: Path, nodes: pl.DataFrame, links: pl.DataFrame, *, node_id: str) -> None:
    """Write a directed graph as GraphML from a node table and an edge table.

    Every column but the ids becomes a typed ``<key>``; parallel edges are
    allowed (each gets an ``id``).

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> path = Path(tempfile.mkdtemp()) / "g.graphml"
    >>> write_graphml(path, pl.DataFrame({"id": ["a", "b"], "name": ["A & co", None]}),
    ...               pl.DataFrame({"source": ["b"], "target": ["a"], "weight": [1.5]}), node_id="id")
    >>> g = nx.read_graphml(path)
    >>> g.nodes["a"], g.nodes["b"], g.edges["b", "a"]["weight"]
    ({'name': 'A & co'}, {}, 1.5)
    """
    node_attrs = _attribute_columns(nodes, (node_id,))
    edge_attrs = _attribute_columns(links, ("source", "target"))

    def data(prefix: str, attrs: list[tuple[str, pl.DataType]]) -> list[pl.Expr]:
        return [
            pl.format(f'<data key="{prefix}{i}">{{}}</data>', _value(pl.col(n), t)) for i, (n, t) in enumerate(attrs)
        ]

    node_pieces = [
        pl.format('    <node id="{}">', _xml_text(pl.col(node_id))),
        *data("n", node_attrs),
        pl.lit("</node>"),
    ]
    edge_pieces = [
        pl.format('    <edge id="e{}" source="{}" target="{}">', pl.int_range(pl.len()), _xml_text(pl.col("source")),
                  _xml_text(pl.col("target"))),
        *data("e", edge_attrs),
        pl.lit("</edge>"),
    ]  # fmt: skip
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        for prefix, kind, attrs in (("n", "node", node_attrs), ("e", "edge", edge_attrs)):
            for i, (name, dtype) in enumerate(attrs):
                kind_type = _type_name(dtype, "graphml")
                out.write(f'  <key id="{prefix}{i}" for="{kind}" attr.name="{name}" attr.type="{kind_type}"/>\n')
        out.write('  <graph edgedefault="directed">\n')
        _write_lines(out, nodes, node_pieces)
        _write_lines(out, links, edge_pieces)
        out.write("  </graph>\n</graphml>\n")


def escape_xml(text: str) -> str:
    """Escape text for XML content and attributes.

    Examples
    --------
    >>> escape_xml('<a href="x">&</a>')
    '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


POST_GRAPH_MEASURES = ("in_degree", "out_degree", "pagerank", "betweenness", "harmonic", "camp", "cascade_id", "depth",
                       "subtree_size")  # fmt: skip


def graph_file_tables(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    post_metrics: pl.DataFrame,
    author_metrics: pl.DataFrame,
    author_edges: pl.DataFrame,
    *,
    with_posts: bool = True,
) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Node and edge tables for ``posts.*`` and ``authors.*`` graph files, metrics attached.

    Returns
    -------
    dict
        ``{"posts": (nodes, links), "authors": (nodes, links)}`` (``posts``
        only when ``with_posts``); node tables carry the id column ``id``.
    """
    author_nodes = author_metrics.rename({"author": "id"})
    if not with_posts:
        return {"authors": (author_nodes, author_edges)}
    from sna.graph import post_edge_table, post_node_table

    # Graph files carry the measures people colour and size nodes by; every
    # measure is in post_metrics.* (a 1M-post GEXF with all of them passes 1 GB).
    metric_columns = ["post_id", *POST_GRAPH_MEASURES]
    post_nodes = (
        post_node_table(posts)
        .join(post_metrics.select(metric_columns), on="post_id", how="left", maintain_order="left")
        .rename({"post_id": "id"})
    )
    return {"posts": (post_nodes, post_edge_table(edges)), "authors": (author_nodes, author_edges)}
