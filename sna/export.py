"""Writing tables and graph files.

Commands write them through :func:`sna.outputs.atomic_outputs` (re-exported
here): into a staging folder beside the output folder, switched into place in
one rename when every file is complete.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import polars as pl

from sna.errors import SnaError
from sna.outputs import atomic_file, atomic_outputs, output_folders
from sna.schema import STANCES

__all__ = ["atomic_file", "atomic_outputs", "output_folders", "write_gexf", "write_graphml", "write_json",
           "write_table", "write_tables"]  # fmt: skip


#: zstd level of the Parquet tables that hold post text (posts, edges, unresolved quotes; polars' default is 3).
#: On 1M synthetic posts level 2 writes ``posts.parquet`` in 4.8 CPU-s instead of 7.0, for 6% more bytes
#: (287 MB instead of 271; level 1: 4.6 CPU-s, 296 MB); reading it back costs the same. Decoded, the tables
#: are the same whatever the level.
TEXT_LEVEL = 2


def write_table(df: pl.DataFrame, path: Path, *, compression_level: int | None = None) -> None:
    """Write a table in the format its suffix names (.csv, .parquet, .json, .jsonl).

    ``compression_level``: zstd level of a Parquet file (default polars', 3);
    :data:`TEXT_LEVEL` for tables of post text.

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
        df.write_parquet(path, statistics=False, compression_level=compression_level)
    elif suffix == ".jsonl":
        df.write_ndjson(path)
    elif suffix == ".json":
        df.write_json(path)
    else:
        raise SnaError(f"{path}: cannot write tables as {suffix!r} (use .csv, .parquet, .json or .jsonl)")


def write_tables(
    jobs: list[tuple[pl.DataFrame, Path]], *, workers: int = 2, compression_level: int | None = None
) -> None:
    """Write several tables at once (polars releases the GIL while it writes).

    ``compression_level``: as for :func:`write_table`.

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
        futures = [pool.submit(write_table, df, path, compression_level=compression_level) for df, path in jobs]
        for future in futures:
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
    if dtype.is_integer():  # digits and a sign: nothing to escape (the escaping costs 4x the cast)
        return expr.cast(pl.String)
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


#: Rows formatted at a time by :func:`_write_lines`: the lines of a whole 1M-row table, and
#: every column piece they are joined from, would be held at once (~0.6 GB at 614k author links).
LINE_CHUNK_ROWS = 100_000

#: The column :func:`_write_lines` numbers rows in (0, 1, … over the whole table, not per chunk).
ROW = "__sna_row"


def _write_lines(out: TextIO, df: pl.DataFrame, pieces: list[pl.Expr], *, chunk_rows: int | None = None) -> None:
    """Write one line per row, built from ``pieces`` (already XML-escaped), ``chunk_rows`` rows at a time.

    ``chunk_rows`` defaults to :data:`LINE_CHUNK_ROWS`.

    ``pl.col(ROW)`` in a piece is the row's number in ``df``.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> rows = pl.DataFrame({"a": ["x", "y", "z"]})
    >>> _write_lines(out, rows, [pl.col(ROW).cast(pl.String), pl.col("a")], chunk_rows=2)
    >>> out.getvalue()
    '0x\\n1y\\n2z\\n'
    """
    out.flush()
    chunk_rows = max(1, chunk_rows or LINE_CHUNK_ROWS)
    numbered = df.with_row_index(ROW)
    for start in range(0, df.height, chunk_rows):
        lines = numbered.slice(start, chunk_rows).select(pl.concat_str(pieces, ignore_nulls=True).alias("line"))
        lines.write_csv(out, include_header=False, quote_style="never")


class _Line:
    """The pieces of :func:`_write_lines` for one kind of line: runs that are never null become one ``pl.format``.

    A piece that may be null (a value missing in some rows) is left out of
    those rows' lines, so each is formatted on its own; pieces that are never
    null are joined into one format with the text around them, which formats
    the line in one pass (half the time of a piece per value at 614,000 links).

    Examples
    --------
    >>> import io
    >>> rows = pl.DataFrame({"a": ["x", "y"], "b": [1, None]})
    >>> line = _Line(rows)
    >>> line.add("<{}", pl.col("a"), columns=["a"])
    >>> line.add(' b="{}"', pl.col("b"), columns=["b"])
    >>> line.add("/>")
    >>> out = io.StringIO()
    >>> _write_lines(out, rows, line.pieces())
    >>> out.getvalue()
    '<x b="1"/>\\n<y/>\\n'
    """

    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df
        self._pieces: list[pl.Expr] = []
        self._template = ""
        self._args: list[pl.Expr] = []

    def may_be_null(self, column: str) -> bool:
        """Whether a value formatted from ``column`` can be missing (nulls; NaN or infinite floats, see _value)."""
        values = self.df[column]
        if values.null_count():
            return True
        return values.dtype.is_float() and not bool(values.is_finite().all())

    def add(self, template: str, *args: pl.Expr, columns: Sequence[str] = (), nullable: bool | None = None) -> None:
        """Add ``template`` with ``args`` for its ``{}``; a separate piece if a value of ``columns`` may be missing."""
        if nullable is None:
            nullable = any(self.may_be_null(c) for c in columns)
        if nullable:
            self._flush()
            self._pieces.append(pl.format(template, *args))
        else:
            self._template += template
            self._args += args

    def piece(self, expr: pl.Expr) -> None:
        """Add a piece as it is (left out of the lines where it is null)."""
        self._flush()
        self._pieces.append(expr)

    def _flush(self) -> None:
        if self._args:
            self._pieces.append(pl.format(self._template, *self._args))
        elif self._template:
            self._pieces.append(pl.lit(self._template))
        self._template, self._args = "", []

    def pieces(self) -> list[pl.Expr]:
        """Every piece, in order."""
        self._flush()
        return self._pieces


@dataclass(frozen=True)
class GexfViz:
    """Columns of a node (or edge) table that become GEXF ``viz:`` elements and times, not attributes.

    Attributes
    ----------
    color : tuple of str, optional
        Columns with red, green and blue (0–255): ``viz:color``.
    size : str, optional
        Column with the node size: ``viz:size``.
    position : tuple of str, optional
        Columns with x and y: ``viz:position``.
    start : str, optional
        Datetime column: the ``start`` time (the graph becomes dynamic).
    """

    color: tuple[str, str, str] | None = None
    size: str | None = None
    position: tuple[str, str] | None = None
    start: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column named here."""
        return (*(self.color or ()), *((self.size,) if self.size else ()), *(self.position or ()),
                *((self.start,) if self.start else ()))  # fmt: skip


def _viz_start(line: _Line, viz: GexfViz | None) -> None:
    """The ``start`` attribute of each row (when ``viz`` has a start column)."""
    if viz is None or not viz.start:
        return
    line.add(' start="{}"', pl.col(viz.start).dt.to_string("%Y-%m-%dT%H:%M:%S"), columns=[viz.start])


def _viz_elements(line: _Line, viz: GexfViz | None) -> None:
    """The ``viz:`` elements of each row; an element is left out where its first column is null."""
    if viz is None:
        return
    if viz.color:
        r, g, b = (pl.col(c).cast(pl.Int64).clip(0, 255) for c in viz.color)
        _viz_element(line, viz.color, '<viz:color r="{}" g="{}" b="{}"/>', r, g, b)
    if viz.position:
        x, y = (pl.col(c).cast(pl.Float64).round(2).cast(pl.String) for c in viz.position)
        _viz_element(line, viz.position, '<viz:position x="{}" y="{}" z="0.0"/>', x, y)
    if viz.size:
        size = pl.col(viz.size).cast(pl.Float64).round(3).cast(pl.String)
        _viz_element(line, (viz.size,), '<viz:size value="{}"/>', size)


def _viz_element(line: _Line, columns: tuple[str, ...], template: str, *args: pl.Expr) -> None:
    if any(line.df[c].null_count() for c in columns):
        line.piece(pl.when(pl.col(columns[0]).is_not_null()).then(pl.format(template, *args)))
    else:
        line.add(template, *args, nullable=False)


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
    node_viz: GexfViz | None = None,
    edge_viz: GexfViz | None = None,
) -> None:
    """Write a directed graph as GEXF 1.3 from a node table and an edge table, for Gephi.

    With ``node_viz``/``edge_viz`` nodes and edges carry ``viz:color``,
    ``viz:size``, ``viz:position`` and a ``start`` time, and the graph is
    dynamic (``mode="dynamic"``), so Gephi opens it coloured, sized and laid
    out, and its timeline plays the discussion: a node appears with its
    author's first post, an edge with its first interaction. Times are UTC
    date-times (``timeformat="date"`` as networkx writes it, values to the
    second, which Gephi reads as such).

    Parameters
    ----------
    path : Path
        Output file.
    nodes : pl.DataFrame
        One row per node; ``node_id`` names the id column, every other column
        (but those named in ``node_viz``) becomes a typed node attribute.
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
    node_viz, edge_viz : GexfViz, optional
        Which columns hold colours, sizes, positions and start times.

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
    skip_nodes = (node_id, *(() if label is None or label == node_id else (label,)),
                  *(node_viz.columns if node_viz else ()))  # fmt: skip
    node_attrs = _attribute_columns(nodes, skip_nodes)
    edge_attrs = _attribute_columns(links, ("source", "target", *(edge_viz.columns if edge_viz else ())))
    dynamic = bool((node_viz and node_viz.start) or (edge_viz and edge_viz.start))

    def declarations(kind: str, attrs: list[tuple[str, pl.DataType]]) -> str:
        rows = "".join(
            f'      <attribute id="{i}" title="{name}" type="{_type_name(dtype, "gexf")}"/>\n'
            for i, (name, dtype) in enumerate(attrs)
        )
        return f'    <attributes class="{kind}" mode="static">\n{rows}    </attributes>\n'

    def attvalues(line: _Line, attrs: list[tuple[str, pl.DataType]]) -> None:
        line.add("<attvalues>")
        for i, (name, dtype) in enumerate(attrs):
            line.add(f'<attvalue for="{i}" value="{{}}"/>', _value(pl.col(name), dtype), columns=[name])
        line.add("</attvalues>")

    node = _Line(nodes)
    node.add('      <node id="{}" label="{}"', _xml_text(pl.col(node_id)), _xml_text(pl.col(label or node_id)),
             columns=[node_id, label or node_id])  # fmt: skip
    _viz_start(node, node_viz)
    node.add(">")
    attvalues(node, node_attrs)
    _viz_elements(node, node_viz)
    node.add("</node>")
    edge = _Line(links)
    edge.add('      <edge id="{}', pl.col(ROW).cast(pl.String), nullable=False)
    edge.add('" source="{}" target="{}"', _xml_text(pl.col("source")), _xml_text(pl.col("target")),
             columns=["source", "target"])  # fmt: skip
    if weight:
        edge.add(' weight="{}"', pl.col(weight).cast(pl.Float64).cast(pl.String), columns=[weight])
    if edge_kind:
        edge.add(' kind="{}"', _xml_text(pl.col(edge_kind)), columns=[edge_kind])
    _viz_start(edge, edge_viz)
    edge.add(">")
    attvalues(edge, edge_attrs)
    _viz_elements(edge, edge_viz)
    edge.add("</edge>")
    mode = ' mode="dynamic" timeformat="date"' if dynamic else ' mode="static"'
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">\n')
        out.write(f"  <meta><creator>sna</creator><description>{escape_xml(description)}</description></meta>\n")
        out.write(f'  <graph defaultedgetype="directed"{mode}>\n')
        out.write(declarations("node", node_attrs))
        out.write(declarations("edge", edge_attrs))
        out.write("    <nodes>\n")
        _write_lines(out, nodes, node.pieces())
        out.write("    </nodes>\n    <edges>\n")
        _write_lines(out, links, edge.pieces())
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

    def data(line: _Line, prefix: str, attrs: list[tuple[str, pl.DataType]]) -> None:
        for i, (name, dtype) in enumerate(attrs):
            line.add(f'<data key="{prefix}{i}">{{}}</data>', _value(pl.col(name), dtype), columns=[name])

    node = _Line(nodes)
    node.add('    <node id="{}">', _xml_text(pl.col(node_id)), columns=[node_id])
    data(node, "n", node_attrs)
    node.add("</node>")
    edge = _Line(links)
    edge.add('    <edge id="e{}" source="{}" target="{}">', pl.col(ROW), _xml_text(pl.col("source")),
             _xml_text(pl.col("target")), columns=["source", "target"])  # fmt: skip
    data(edge, "e", edge_attrs)
    edge.add("</edge>")
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        for prefix, kind, attrs in (("n", "node", node_attrs), ("e", "edge", edge_attrs)):
            for i, (name, dtype) in enumerate(attrs):
                kind_type = _type_name(dtype, "graphml")
                out.write(f'  <key id="{prefix}{i}" for="{kind}" attr.name="{name}" attr.type="{kind_type}"/>\n')
        out.write('  <graph edgedefault="directed">\n')
        _write_lines(out, nodes, node.pieces())
        _write_lines(out, links, edge.pieces())
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


#: Node and edge columns that :func:`graph_file_tables` adds for Gephi (``viz:`` elements and ``start``).
NODE_VIZ = GexfViz(color=("viz_r", "viz_g", "viz_b"), size="viz_size", position=("viz_x", "viz_y"), start="first")
EDGE_VIZ = GexfViz(color=("viz_r", "viz_g", "viz_b"), start="first")
#: Columns only GEXF uses (GraphML files leave them out; ``first`` stays as an attribute).
VIZ_COLUMNS = ("viz_r", "viz_g", "viz_b", "viz_size", "viz_x", "viz_y")


def gexf_viz(table: pl.DataFrame, spec: GexfViz) -> GexfViz | None:
    """``spec`` restricted to the columns ``table`` has (None when it has none of them)."""
    color = spec.color if spec.color and all(c in table.columns for c in spec.color) else None
    position = spec.position if spec.position and all(c in table.columns for c in spec.position) else None
    size = spec.size if spec.size in table.columns else None
    start = spec.start if spec.start in table.columns else None
    return GexfViz(color, size, position, start) if (color or position or size or start) else None


def _rgb(colors: pl.Series) -> list[pl.Series]:
    """Red, green and blue (0–255) columns from hex colours."""
    hexes = colors.str.strip_chars_start("#")
    return [hexes.str.slice(i, 2).str.to_integer(base=16).cast(pl.Int64).alias(name)
            for i, name in ((0, "viz_r"), (2, "viz_g"), (4, "viz_b"))]  # fmt: skip


def _node_viz(view, names: pl.DataFrame) -> pl.DataFrame:
    """``id``, ``label`` and the viz columns of a view's nodes.

    Colour by camp (or community), size by PageRank, position from the
    layout the figures use (×1000, y up).
    """
    from sna.render.style import group_colors

    nodes = view.nodes
    pagerank = nodes["pagerank"].cast(pl.Float64).fill_null(0.0).fill_nan(0.0)
    top = float(pagerank.max() or 0.0) or 1.0
    colors = pl.Series(group_colors(nodes["group"].to_numpy(), grouped=view.grouping is not None).tolist())
    colors = colors.replace({"#FFFFFF": "#D9D9D9"})  # unassigned: light grey (Gephi draws no rims)
    table = pl.DataFrame({"id": nodes["id"]}).with_columns(
        *_rgb(colors),
        viz_size=(2.0 + 38.0 * (pagerank / top).sqrt()).round(3),
        viz_x=((nodes["x"] - 0.5) * 1000).round(2),
        viz_y=((nodes["y"] - 0.5) * 1000).round(2),
    )
    return table.join(names, on="id", how="left", maintain_order="left")


def _edge_colors(links: pl.DataFrame) -> pl.DataFrame:
    """The viz colour of each edge: its stance (majority), else its kind; assumed links grey."""
    from sna.analysis.views import dominant_kind, dominant_stance
    from sna.render.style import link_colors

    has = {"agree", "neutral", "disagree", "quote", "reply", "implicit"} <= set(links.columns)
    if not has or links.height == 0:
        return links
    stance, kind = dominant_stance(links), dominant_kind(links)
    assumed = ((links["quote"] + links["reply"]) == 0).to_numpy()
    colors = pl.Series(link_colors(stance, kind, bool((stance >= 0).any()), assumed).tolist())
    return links.with_columns(*_rgb(colors))


def _first_links(
    posts: pl.DataFrame, edges: pl.DataFrame, post_node: pl.Series, node_ids: pl.Series, author_links: pl.DataFrame,
    edge_rows: tuple[np.ndarray, np.ndarray] | None,
) -> pl.Series:  # fmt: skip
    """The time of the first edge between each linked pair of author nodes, on node numbers."""
    from sna.ids import rows_of

    if edge_rows is None:
        edge_rows = rows_of(edges["source"], posts["post_id"]), rows_of(edges["target"], posts["post_id"])
    node = rows_of(post_node, node_ids)  # each post's node (-1: none; its edges pair with no link)
    n = max(len(node_ids), 1)
    ends = [np.where(rows >= 0, node[np.maximum(rows, 0)], -1) if len(node) else rows for rows in edge_rows]
    known = (ends[0] >= 0) & (ends[1] >= 0)
    pairs = (
        pl.DataFrame({"_pair": (ends[0] * n + ends[1])[known], "first": edges["created_at"].filter(known)})
        .group_by("_pair")
        .agg(pl.col("first").min())
    )
    source, target = rows_of(author_links["source"], node_ids), rows_of(author_links["target"], node_ids)
    pair = np.where((source >= 0) & (target >= 0), source * n + target, -1)
    found = pl.DataFrame({"_pair": pair}).join(pairs, on="_pair", how="left", maintain_order="left")
    return found["first"]


def graph_file_tables(
    posts: pl.DataFrame,
    edges: pl.DataFrame,
    post_metrics: pl.DataFrame,
    author_metrics: pl.DataFrame,
    author_edges: pl.DataFrame,
    *,
    with_posts: bool = True,
    views: dict[str, object] | None = None,
    edge_rows: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Node and edge tables for ``posts.*`` and ``authors.*`` graph files, metrics attached.

    ``edge_rows``, each edge's source and target as row numbers of ``posts``
    (:attr:`sna.edges.Extracted.rows`), saves looking the post ids up.

    With ``views`` (``{"authors": GraphView, "posts": GraphView}``, see
    :func:`sna.analysis.views.author_view` / ``post_view``) node tables also
    carry what Gephi draws (:data:`NODE_VIZ`): colour by camp (else
    community), size by PageRank, the position the figures use, and
    ``first`` — the time of the node's first post; edge tables carry their
    colour (stance) and ``first`` interaction time.

    Returns
    -------
    dict
        ``{"posts": (nodes, links), "authors": (nodes, links)}`` (``posts``
        only when ``with_posts``); node tables carry the id column ``id``.
    """
    from sna.graph import author_key

    views = views or {}
    author_nodes = author_metrics.rename({"author": "id"})
    author_links = author_edges
    timed = "created_at" in posts.columns and posts["created_at"].drop_nulls().len() > 0
    if timed:
        node_of = posts.select(author_key().alias("_node"), "created_at")
        first_post = node_of.group_by("_node").agg(pl.col("created_at").min().alias("first")).rename({"_node": "id"})
        author_nodes = author_nodes.join(first_post, on="id", how="left", maintain_order="left")
        author_links = author_links.with_columns(first=_first_links(posts, edges, node_of["_node"], author_nodes["id"],
                                                                    author_links, edge_rows))  # fmt: skip
    if "authors" in views:
        viz = _node_viz(views["authors"], views["authors"].nodes.select("id", "label"))
        author_nodes = author_nodes.join(viz, on="id", how="left", maintain_order="left")
        author_links = _edge_colors(author_links)
    if not with_posts:
        return {"authors": (author_nodes, author_links)}
    from sna.graph import post_edge_table, post_node_table

    # Graph files carry the measures people colour and size nodes by; every
    # measure is in post_metrics.* (a 1M-post GEXF with all of them passes 1 GB).
    metric_columns = ["post_id", *POST_GRAPH_MEASURES]
    post_nodes = (
        post_node_table(posts)
        .join(post_metrics.select(metric_columns), on="post_id", how="left", maintain_order="left")
        .rename({"post_id": "id"})
    )
    post_links = post_edge_table(edges)
    if timed:
        post_nodes = post_nodes.with_columns(first=posts["created_at"])
        if "created_at" in edges.columns:
            post_links = post_links.with_columns(first=edges["created_at"])
    if "posts" in views:
        view = views["posts"]
        viz = _node_viz(view, view.nodes.select("id", "label"))
        post_nodes = post_nodes.join(viz, on="id", how="left", maintain_order="left")
        one_hot = post_links.select(
            *((pl.col("kind") == k).cast(pl.Int64).alias(k) for k in ("quote", "reply", "implicit")),
            *((pl.col("stance") == s).fill_null(False).cast(pl.Int64).alias(s) for s in STANCES),
        )
        colors = _edge_colors(one_hot).select("viz_r", "viz_g", "viz_b")
        post_links = pl.concat([post_links, colors], how="horizontal") if colors.width else post_links
    return {"posts": (post_nodes, post_links), "authors": (author_nodes, author_links)}
