"""Pictures of a corpus: static figures (matplotlib), offline pages (pyvis/vis-network) and a report.

The renderers only draw. What they draw is computed first, by
:func:`sna.analysis.pictures.picture_data` (graph views with their layout and
backbone, one thread, the largest cascades, group and time tables); then
:func:`write_figures`, :func:`write_html` and :func:`write_report` write
through a ``stage`` callable (see :func:`sna.export.atomic_outputs`), so
``sna run`` can call them after computing metrics and a failed run writes
nothing. ``sna figures`` and ``sna html`` read what ``sna run`` wrote with
:func:`sna.pipeline.read_results`.

One module per figure family: :mod:`~sna.render.network`,
:mod:`~sna.render.campmap` (camp map, agreement table),
:mod:`~sna.render.threads` (arc diagram, cascade trees),
:mod:`~sna.render.rankings`, :mod:`~sna.render.distributions`,
:mod:`~sna.render.activity`; pages in :mod:`~sna.render.interactive`, the
report in :mod:`~sna.render.report`; colours and legends in
:mod:`~sna.render.style`, shared drawing pieces in :mod:`~sna.render.marks`.

Examples
--------
>>> import tempfile, sna
>>> from sna.analysis.pictures import picture_data
>>> from sna.export import atomic_outputs
>>> corpus = sna.load("data/raw", stance=False)
>>> pictures = picture_data(corpus.posts, corpus.edges, corpus.metrics())
>>> with atomic_outputs(tempfile.mkdtemp()) as stage:
...     names = write_figures(pictures, stage)
>>> names
['network.png', 'thread-arcs.png', 'centrality.png', 'cascade-trees.png', 'cascade-distributions.png']
>>> figure_notes(pictures)
['camp-map (no camps or communities)', 'camp-agreement (no stance labels)', 'activity (no timestamps)']
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

FIGURES = ("network", "thread-arcs", "centrality", "cascade-trees", "cascade-distributions", "camp-map",
           "camp-agreement", "activity")  # fmt: skip
PAGES = ("authors.html", "posts.html")


def _has_camps(pictures) -> bool:
    return pictures.view.grouping == "camp"


def figure_notes(pictures) -> list[str]:
    """Which figures :func:`write_figures` leaves out for this corpus, and why."""
    notes = []
    if pictures.view.grouping is None:
        notes.append("camp-map (no camps or communities)")
    if not _has_camps(pictures):
        notes.append("camp-agreement (no stance labels)")
    if pictures.activity is None:
        notes.append("activity (no timestamps)")
    return notes


def figure_drawers(pictures) -> list[tuple[str, Callable[[], object]]]:
    """The figures drawn for ``pictures``, in order, as (name, draw) pairs."""
    from sna.render import activity, campmap, distributions, network, rankings, threads

    view, drawn, options = pictures.view, pictures.drawn, pictures.options
    rank_anonymous = bool(pictures.metrics.summary.get("rank_anonymous", True))
    drawers: list[tuple[str, Callable[[], object]]] = [
        ("network", lambda: network.network_map(drawn, top=options.top)),
        ("thread-arcs", lambda: threads.thread_arcs(pictures.thread, grouping=pictures.thread_grouping,
                                                    reason=view.no_groups, hide_assumed=options.hide_assumed)),
        ("centrality", lambda: rankings.centrality_rankings(view, top=options.top, rank_anonymous=rank_anonymous)),
        ("cascade-trees", lambda: threads.cascade_trees(pictures.trees, grouping=pictures.thread_grouping,
                                                               reason=view.no_groups)),
        ("cascade-distributions", lambda: distributions.cascade_distributions(pictures.metrics.cascades)),
    ]  # fmt: skip
    if view.grouping is not None:
        drawers.append(("camp-map", lambda: campmap.camp_map(drawn, pictures.groups, pictures.group_links)))
    if _has_camps(pictures):
        drawers.append(("camp-agreement", lambda: campmap.camp_agreement(pictures.groups, pictures.group_links,
                                                                          grouping=view.grouping,
                                                                          reason=view.no_groups)))  # fmt: skip
    if pictures.activity is not None:
        drawers.append(("activity", lambda: activity.activity(pictures.activity)))
    return drawers


def write_figures(pictures, stage: Callable[[str], Path], *, svg: bool = False, dpi: int = 150) -> list[str]:
    """Draw every static figure and write it through ``stage``; return the file names.

    Writes ``network``, ``thread-arcs``, ``centrality``, ``cascade-trees``
    and ``cascade-distributions``; ``camp-map`` when there are camps or
    communities, ``camp-agreement`` when there are camps (stance labels),
    ``activity`` when posts have timestamps — as PNG, and also SVG with
    ``svg=True``.

    Parameters
    ----------
    pictures : Pictures
        What to draw (:func:`sna.analysis.pictures.picture_data`).
    stage : callable
        Maps a file name to the path to write it at.
    svg : bool
        Also write SVG files.
    dpi : int
        PNG resolution.
    """
    from sna.render.style import figure_style, save_figure

    written: list[str] = []
    suffixes = [".png", ".svg"] if svg else [".png"]
    with figure_style():
        for name, draw in figure_drawers(pictures):
            fig = draw()
            for suffix in suffixes:
                save_figure(fig, stage(name + suffix), dpi=dpi)
                written.append(name + suffix)
    return written


def write_html(pictures, stage: Callable[[str], Path]) -> list[str]:
    """Write the interactive pages (``authors.html``, ``posts.html``) through ``stage``; return the names.

    Each page is one offline HTML file of at most 10,000 nodes (the most
    central by PageRank); see :mod:`sna.render.interactive`.
    """
    from sna.render.interactive import graph_page, page_views

    written = []
    for name, view in page_views(pictures):
        stage(name).write_text(graph_page(view, pictures), encoding="utf-8")
        written.append(name)
    return written


def write_report(pictures, stage: Callable[[str], Path], *, figures: dict[str, Path], files: list[dict[str, object]],
                 inputs: dict[str, object] | None = None) -> str:  # fmt: skip
    """Write ``report.html`` (one self-contained page per run) through ``stage``; return its name.

    Parameters
    ----------
    pictures : Pictures
        What was computed.
    stage : callable
        Maps a file name to the path to write it at.
    figures : dict
        Figure name → PNG path (already written), inlined in the page.
    files : list of dict
        Every output file: ``name`` (link, relative to the report), ``folder``, ``bytes``.
    inputs : dict, optional
        What went in (``ingest.json``).
    """
    from sna.render.report import report_page

    stage("report.html").write_text(report_page(pictures, figures=figures, files=files, inputs=inputs),
                                    encoding="utf-8")  # fmt: skip
    return "report.html"


def report_files(folders: list[tuple[Path, list[str]]], report_dir: Path) -> list[dict[str, object]]:
    """File entries for the report: each name with a link relative to ``report_dir``, by folder.

    Examples
    --------
    >>> files = report_files([(Path("out"), ["posts.csv"]), (Path("out/figures"), ["a.png"])], Path("out/figures"))
    >>> [(f["name"], f["href"], f["folder"]) for f in files]
    [('posts.csv', '../posts.csv', '../'), ('a.png', 'a.png', 'this folder')]
    """
    import os

    entries = []
    for folder, names in folders:
        where = Path(os.path.relpath(Path(folder), report_dir)).as_posix()
        label = "this folder" if where == "." else f"{where}/"
        for name in sorted(dict.fromkeys(names)):
            href = Path(os.path.relpath(Path(folder) / name, report_dir)).as_posix()
            entries.append({"name": name, "href": href, "folder": label})
    return entries


def write_pictures(
    pictures,
    stage: Callable[[str], Path],
    *,
    folder: Path,
    others: list[tuple[Path, list[str]]] = (),
    figures: bool = True,
    html: bool = True,
    report: bool = True,
    svg: bool = False,
    dpi: int = 150,
    inputs: dict[str, object] | None = None,
    progress=None,
    reuse_figures: bool = True,
) -> list[str]:
    """Write figures, pages and ``report.html`` into ``folder`` (through ``stage``); return the names.

    ``others`` lists the other output folders and their files, for the
    report's file list; PNGs already in ``folder`` are inlined in the report
    when figures are not drawn now and ``reuse_figures`` (``sna html`` next to
    figures drawn earlier; not ``sna run --skip figures``, which replaces them).
    """
    from contextlib import nullcontext

    def step(name: str):
        return progress.stage(name) if progress is not None else nullcontext()

    names: list[str] = []
    saved: dict[str, Path] = {}
    if figures:
        with step("drawing figures"):
            names += write_figures(pictures, _recording(stage, saved), svg=svg, dpi=dpi)
    elif reuse_figures:
        saved = {p.stem: p for p in sorted(Path(folder).glob("*.png")) if p.stem in FIGURES}
    if html:
        with step("writing interactive pages"):
            names += write_html(pictures, stage)
    if report:
        with step("writing the report"):
            present = [p.name for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".")] \
                if Path(folder).is_dir() else []  # fmt: skip
            listing = [*others, (Path(folder), [*present, *names, "report.html"])]
            order = [n for n in FIGURES if n in saved]
            names.append(write_report(pictures, stage, figures={n: saved[n] for n in order},
                                      files=report_files(listing, Path(folder)), inputs=inputs))  # fmt: skip
    return names


def _recording(stage: Callable[[str], Path], saved: dict[str, Path]) -> Callable[[str], Path]:
    """A stage that also remembers where each PNG went (for the report)."""

    def record(name: str) -> Path:
        path = stage(name)
        if name.endswith(".png"):
            saved[name[:-4]] = path
        return path

    return record


__all__ = [
    "FIGURES",
    "PAGES",
    "figure_drawers",
    "figure_notes",
    "report_files",
    "write_figures",
    "write_html",
    "write_pictures",
    "write_report",
]
