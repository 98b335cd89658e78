"""``report.html``: the page a user opens first — what went in, what was found, figures, tables, files.

One self-contained offline file per run: figures are inlined as PNG data,
the stylesheet and the small script that sorts tables are inlined too, and a
Content-Security-Policy lets nothing leave the page (``img-src data:``,
scripts only by hash). Every output file of the run is listed with a link
relative to the report. Every text that came from a post (names, titles) is
escaped by Jinja.

Examples
--------
>>> import sna
>>> from sna.analysis.pictures import picture_data
>>> corpus = sna.load("data/raw", stance=False)
>>> page = report_page(picture_data(corpus.posts, corpus.edges, corpus.metrics()), figures={},
...                    files=[{"name": "posts.csv", "href": "../posts.csv", "folder": "tables"}])
>>> page.startswith("<!DOCTYPE html>"), "posts.csv" in page, "<script>" in page
(True, True, True)
"""

from __future__ import annotations

import base64
from pathlib import Path

import polars as pl

from sna.analysis.pictures import Pictures, listed_groups, top_tables
from sna.render import style
from sna.render.interactive import asset, csp_hash

#: What each figure shows, for its caption.
CAPTIONS = {
    "network": "Who quotes or replies to whom. Nodes are coloured by camp (else community), each in its own "
               "region; links by stance (dashed: assumed), arrows point to the one answered; node area is "
               "PageRank. Large graphs show a backbone in full and the rest faded (the figure says which).",
    "thread-arcs": "One thread (the largest unless --thread chose another): an arc from each quote or reply to "
                   "its target, and each post's reply depth against its number.",
    "centrality": "The most central nodes by PageRank, replies received (assumed links shown apart, not "
                  "counted), betweenness and harmonic closeness.",
    "cascade-trees": "The largest reply cascades as trees (icicles when large), coloured by the stance of each "
                     "reply.",
    "cascade-distributions": "How large and deep cascades grow: the share of cascades at least as large, or as "
                             "deep, as x.",
    "camp-map": "Camps as nodes (area: members), links coloured by the share of agreement between them; the rim "
                "shows agreement inside a camp.",
    "camp-agreement": "Share of agreement among signed replies from each camp (rows) to each camp (columns).",
    "activity": "Posts over time, and labelled replies by stance.",
}  # fmt: skip

#: What each output file holds, for the file list.
FILE_NOTES = {
    "posts": "one row per post (POSTS)", "edges": "one row per quote, reply or assumed link (EDGES)",
    "unresolved_quotes": "quotes of posts not in the input", "post_metrics": "centrality and cascades per post",
    "author_metrics": "centrality, camps per author", "author_edges": "the author graph's links, counts by kind "
    "and stance", "cascades": "one row per reply tree or quote cascade", "camps": "agreement camps",
    "summary": "graph-level figures", "ingest": "what was read", "authors": "author graph",
    "report": "this page",
}  # fmt: skip


def _fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return style.format_value(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _table(title: str, table: pl.DataFrame) -> dict[str, object]:
    numeric = [dtype.is_numeric() for dtype in table.dtypes]
    head = [(name.replace("_", " "), num) for name, num in zip(table.columns, numeric, strict=True)]
    rows = []
    for row in table.iter_rows():
        cells = []
        for value, num in zip(row, numeric, strict=True):
            raw = "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))
            cells.append((_fmt(value), raw, num))
        rows.append(cells)
    return {"title": title, "head": head, "rows": rows}


def _file_note(name: str) -> str:
    if name.endswith("/"):  # a table written as a folder of Parquet parts
        return f"{FILE_NOTES.get(name[:-1], 'a table')}, as Parquet parts"
    stem, _, suffix = name.partition(".")
    if suffix == "html":
        return {"authors": "interactive author graph", "posts": "interactive post graph"}.get(
            stem, FILE_NOTES.get(stem, "")
        )
    if suffix in ("png", "svg"):
        return "figure"
    if suffix in ("gexf", "graphml"):
        what = "author graph" if stem == "authors" else "post graph"
        return f"{what} for Gephi (colours, sizes, positions, times)" if suffix == "gexf" else f"{what} (GraphML)"
    return FILE_NOTES.get(stem, "")


def report_page(
    pictures: Pictures,
    *,
    figures: dict[str, Path],
    files: list[dict[str, object]],
    inputs: dict[str, object] | None = None,
) -> str:
    """The report as one HTML page (see the module docstring).

    Parameters
    ----------
    pictures : Pictures
        What was computed (:func:`sna.analysis.pictures.picture_data`).
    figures : dict
        Figure name → PNG file (inlined).
    files : list of dict
        Every output file: ``name``, ``href`` (relative to the report), ``folder``.
    inputs : dict, optional
        The ingest summary (``ingest.json``).
    """
    from jinja2 import Environment
    from markupsafe import Markup

    summary = pictures.metrics.summary
    inputs = inputs or {}
    posts = pictures.posts
    top = pictures.options.top
    threads = int(summary.get("threads", posts["thread_id"].n_unique()))
    n_posts = int(summary.get("posts", posts.height))
    authors = int(summary.get("authors", 0))
    title = f"sna report: {_count(threads, 'thread')}, {_count(n_posts, 'post')}, {_count(authors, 'author')}"
    sources = sorted(posts["source_file"].drop_nulls().unique().to_list()) if "source_file" in posts.columns else []
    folder = ""
    if len(sources) > 1:
        import os

        folder = os.path.commonpath(sources)
        sources = [os.path.relpath(s, folder) for s in sources]
    lead = "Open the figures below, the interactive pages to explore, and the tables to load in your own tools."
    input_facts = [(_fmt(inputs.get("files", len(sources) or None)), "input files"),
                   (_fmt(threads), "threads"), (_fmt(n_posts), "posts"), (_fmt(authors), "authors")]  # fmt: skip
    if inputs.get("posts_without_author"):
        input_facts.append((_fmt(inputs["posts_without_author"]), "posts without an author"))
    if summary.get("placeholders"):
        input_facts.append((_fmt(summary["placeholders"]), "threads whose first post is missing (placeholder)"))
    if inputs.get("files_skipped"):
        input_facts.append((_fmt(inputs["files_skipped"]), "files skipped (unknown format)"))
    # links and stance
    counts = summary.get("edges", {}) or {}
    total = sum(int(v) for v in counts.values()) or 0
    counted = summary.get("implicit_links", "ignore")
    link_rows = [("quote", _fmt(counts.get("quote", 0)), "read: quoted words found or marked"),
                 ("reply", _fmt(counts.get("reply", 0)), "read: a parent the source states"),
                 ("assumed (implicit)", _fmt(counts.get("implicit", 0)),
                  "assumed: a post that quotes nothing, attached by rule")]  # fmt: skip
    share = summary.get("assumed_share")
    links_note = (
        f"{_share(share)} of {total:,} links are assumed; centrality, communities and camps "
        f"{'leave them out' if counted == 'ignore' else 'count them'} (implicit_links={counted})."
    )
    stance = pictures.edges["stance"].value_counts() if "stance" in pictures.edges.columns else pl.DataFrame()
    by = dict(stance.iter_rows()) if stance.height else {}
    labelled = sum(v for k, v in by.items() if k is not None)
    if labelled:
        stance_note = (", ".join(f"{by.get(s, 0):,} {s}" for s in ("agree", "neutral", "disagree"))
                       + f"; {by.get(None, 0):,} links unlabelled.")  # fmt: skip
    else:
        stance_note = "No stance labels (stance was skipped): there are no agreement camps."
    # camps and communities
    view = pictures.view
    tables = top_tables(pictures, k=top)
    groups_rows, group_head = [], [("group", False), ("members", True), ("agree inside", True),
                                   ("most central members", False)]  # fmt: skip
    noun = view.group_noun
    if view.grouping:
        for row in tables["groups"].iter_rows(named=True):
            groups_rows.append({"group": row["group"], "name": f"{noun} {row['group']}",
                                "color": style.group_color(int(row["group"])), "size": f"{row['size']:,}",
                                "share": _share(row["agree_share"]), "share_value": row["agree_share"] or "",
                                "central": row["central"]})  # fmt: skip
        unassigned = int((view.group == 0).sum())
        listed = listed_groups(pictures.groups)
        camps_note = (f"{pictures.groups.height:,} {style.plural(noun)} of the {view.noun} (the {len(listed)} largest "
                      f"drawn in the figures); {unassigned:,} {view.noun} without a {noun}"
                      + (" (no signed link, or a camp too small)." if view.grouping == "camp" else "."))  # fmt: skip
    else:
        camps_note = "No camps (they need stance labels) and no communities in the metric tables."
    community = summary.get("communities") or {}
    if isinstance(community, dict) and community.get("modularity") is not None:
        camps_note += f" Communities: modularity {community['modularity']:.3f}."
    cascades = summary.get("cascades", {}) or {}
    reply, quote = cascades.get("reply", {}) or {}, cascades.get("quote", {}) or {}
    cascades_note = (f"{_fmt(reply.get('count', 0))} reply trees (largest {_fmt(reply.get('largest'))} posts, "
                     f"deepest {_fmt(reply.get('deepest'))} levels, mean structural virality "
                     f"{_fmt(reply.get('mean_structural_virality'))}); {_fmt(quote.get('count', 0))} quote "
                     f"cascades (largest {_fmt(quote.get('largest'))}).")  # fmt: skip
    # figures
    figure_rows = []
    for name, path in figures.items():
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        figure_rows.append({"name": name, "src": Markup(f"data:image/png;base64,{data}"),
                            "alt": CAPTIONS.get(name, name), "caption": CAPTIONS.get(name, "")})  # fmt: skip
    from sna.render import figure_notes

    skipped = [tuple(n.split(" ", 1)) for n in figure_notes(pictures)]
    skipped = [(name, why.strip("()")) for name, why in skipped]
    table_list = [
        _table("Authors by PageRank", tables["authors"]),
        _table("Posts by PageRank", tables["posts"]),
        _table("Largest reply cascades", tables["cascades"]),
    ]
    # files
    by_folder: dict[str, list[dict[str, object]]] = {}
    for f in files:
        entry = dict(f)
        entry.setdefault("what", _file_note(str(f["name"])))
        by_folder.setdefault(str(f.get("folder", "")), []).append(entry)
    caveats = _caveats(pictures, by, labelled)
    css, js = asset("report.css"), asset("report.js")
    csp = (f"default-src 'none'; script-src {csp_hash(js)}; style-src 'unsafe-inline'; img-src data:; "
           "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")  # fmt: skip
    env = Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(asset("report.html")).render(
        csp=Markup(csp), css=Markup(css), js=Markup(js), title=title, lead=lead, top=top,
        warnings=list(summary.get("warnings", []) or []), input_facts=input_facts, sources=sources[:20],
        source_count=len(sources), link_rows=link_rows, links_note=links_note, stance_note=stance_note,
        camps_note=camps_note, groups=groups_rows, group_head=group_head, cascades_note=cascades_note,
        figures=figure_rows, skipped=skipped, tables=table_list, files=list(by_folder.items()), caveats=caveats,
        seed=summary.get("seed", pictures.options.seed), source_folder=folder,
    )  # fmt: skip


def _caveats(pictures: Pictures, stance_counts: dict, labelled: int) -> list[str]:
    """What a reader should keep in mind, from the summary and the pictures."""
    summary = pictures.metrics.summary
    out = []
    for graph, noun in (("author_graph", "authors"), ("post_graph", "posts")):
        part = summary.get(graph, {}) or {}
        nodes = int(part.get("nodes", 0) or 0)
        for measure in ("betweenness", "harmonic"):
            sources = part.get(f"{measure}_sources")
            if sources and nodes and sources < nodes:
                out.append(f"{measure.capitalize()} of {noun} is estimated from {sources:,} sampled sources "
                           f"(of {nodes:,}): rankings near the top are reliable, small values are not.")  # fmt: skip
    unlabelled = stance_counts.get(None, 0)
    if labelled and unlabelled:
        out.append(f"{unlabelled:,} links have no stance label (assumed links are not labelled); shares of "
                   "agreement count labelled replies only.")  # fmt: skip
    if labelled:
        out.append("Stance labels come from a model: read camps as tendencies, and check the posts behind a "
                   "surprising link (click it on the interactive pages).")  # fmt: skip
    share = summary.get("assumed_share")
    if share:
        out.append(f"{share:.0%} of links are assumed (a post that quotes nothing is attached to its thread's "
                   "first post); they are drawn dashed.")  # fmt: skip
    view = pictures.view
    if view.grouping == "camp":
        unassigned = int((view.group == 0).sum())
        if unassigned:
            out.append(f"{unassigned:,} {view.noun} have no camp: without signed links nothing places them, and "
                       "camps of one are not listed.")  # fmt: skip
    if summary.get("placeholders"):
        out.append(f"{summary['placeholders']:,} threads start mid-way in the input; a placeholder stands for "
                   "each missing opening post.")  # fmt: skip
    from sna.analysis.views import backbone_note

    note = backbone_note(pictures.drawn)
    if note or view.cut:
        out.append("The network figure does not draw everything: " + "; ".join(p for p in (view.cut, note) if p)
                   + ".")  # fmt: skip
    if not out:
        out.append("None noted.")
    return out
