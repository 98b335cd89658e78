"""Static figures: every one draws, labels never collide, every colour has a legend entry, reruns are identical."""

import io

import matplotlib.colors as mcolors
import matplotlib.image as mpimg
import numpy as np
import polars as pl
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.patches import Rectangle

from sna.analysis.pictures import PictureOptions, picture_data
from sna.analysis.views import GraphView, mark_backbone
from sna.render import figure_drawers, network, style, threads

CORPORA = ["seed_corpus", "labelled", "assumed"]


def pictures_of(request, corpus, **options):
    posts, edges, metrics = request.getfixturevalue(corpus)
    return picture_data(posts, edges, metrics, PictureOptions(**options))


def drawn_figures(pictures):
    with style.figure_style():
        return {name: draw() for name, draw in figure_drawers(pictures)}


@pytest.fixture(scope="module")
def every_figure(request):
    """All figures of each corpus, drawn once for the tests of this module."""
    cache: dict = {}

    def get(corpus):
        if corpus not in cache:
            cache[corpus] = drawn_figures(pictures_of(request, corpus))
        return cache[corpus]

    return get


def png_pixels(fig, dpi=60):
    buffer = io.BytesIO()
    with style.figure_style():
        fig.savefig(buffer, format="png", dpi=dpi)
    return mpimg.imread(io.BytesIO(buffer.getvalue()))


# What a figure uses and what its legend names ------------------------------------------------------------------


def _rgb(color) -> tuple:
    return tuple(np.round(mcolors.to_rgb(color), 2))


def _many(values) -> list:
    array = np.asarray(values, dtype=float) if len(values) and not isinstance(values, str) else np.zeros((0, 4))
    return [] if array.size == 0 else [tuple(np.round(c[:3], 2)) for c in np.atleast_2d(array)]


def used_colors(fig) -> set:
    """Fill, edge and line colours of every data artist (decorations and white rims left out)."""
    used = set()
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        for artist in ax.collections:
            if artist.get_gid() == "decoration":
                continue
            if isinstance(artist, LineCollection):
                used |= set(_many(artist.get_colors()))
            elif isinstance(artist, PathCollection | PolyCollection):
                used |= set(_many(artist.get_facecolors())) | set(_many(artist.get_edgecolors()))
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_gid() != "decoration":
                used.add(_rgb(patch.get_facecolor()))
                if patch.get_edgecolor()[3] > 0:
                    used.add(_rgb(patch.get_edgecolor()))
        for line in ax.lines:
            if line.get_gid() != "decoration":
                used.add(_rgb(line.get_color()))
    return used - {(1.0, 1.0, 1.0)}


def legend_colors(fig) -> set:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    named = set()
    for legend in legends:
        for h in legend.legend_handles:
            for getter in ("get_color", "get_markerfacecolor", "get_markeredgecolor", "get_facecolor"):
                if hasattr(h, getter):
                    value = getattr(h, getter)()
                    if isinstance(value, str) and value.lower() == "none":
                        continue
                    named.add(_rgb(value))
    return named


def colormap_colors(fig) -> set:
    """Colours a colour bar explains (every step of its map)."""
    out = set()
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            for image in ax.collections or ax.images:
                cmap = image.get_cmap()
                out |= {tuple(np.round(c[:3], 2)) for c in cmap(np.linspace(0, 1, 1024))}
    return out


def _near(color, palette) -> bool:
    return any(max(abs(a - b) for a, b in zip(color, p, strict=True)) <= 0.02 for p in palette)


@pytest.mark.parametrize("corpus", CORPORA)
def test_every_figure_draws_and_has_a_legend_entry_for_every_colour_it_uses(corpus, every_figure):
    figures = every_figure(corpus)
    assert {"network", "thread-arcs", "centrality", "cascade-trees", "cascade-distributions"} <= figures.keys()
    for name, fig in figures.items():
        pixels = png_pixels(fig)
        assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]).round(2), axis=0)) > 5, name
        named, mapped = legend_colors(fig), colormap_colors(fig)
        missing = [c for c in used_colors(fig) if not _near(c, named) and not _near(c, mapped)]
        assert not missing, (name, [mcolors.to_hex(c) for c in missing])


def test_camp_figures_appear_with_camps_and_activity_with_times(every_figure):
    assert {"camp-map", "camp-agreement", "activity"} <= set(every_figure("labelled"))
    assert "activity" not in set(every_figure("seed_corpus"))


# Labels ------------------------------------------------------------------------------------------------------------


def _boxes_and_discs(fig, ax):
    fig.draw_without_rendering()
    boxes = [t.get_window_extent() for t in ax.texts if t.get_visible() and t.get_text().strip()]
    discs = []
    for artist in ax.collections:
        if isinstance(artist, PathCollection) and artist.get_gid() != "decoration":
            centers = ax.transData.transform(artist.get_offsets())
            radii = np.sqrt(np.broadcast_to(artist.get_sizes(), (len(centers),)) / np.pi) * fig.dpi / 72
            discs += list(zip(centers, radii, strict=True))
    return boxes, discs


def _touches(box, center, radius) -> bool:
    x = min(max(center[0], box.x0), box.x1)
    y = min(max(center[1], box.y0), box.y1)
    return (center[0] - x) ** 2 + (center[1] - y) ** 2 < (radius - 0.5) ** 2


def assert_labels_clear(fig, ax):
    boxes, discs = _boxes_and_discs(fig, ax)
    assert boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
        for center, radius in discs:
            assert not _touches(a, center, radius), (a, center, radius)


def crowded_view(n=60, seed=0):
    """Many nodes with long names piled near the middle: most labels cannot fit."""
    from sna.analysis.layout import group_layout

    rng = np.random.default_rng(seed)
    src = np.arange(1, n)
    dst = (rng.random(n - 1) * src).astype(int)
    group = np.arange(n) % 3 + 1
    layout = group_layout(n, src, dst, group=group, importance=rng.random(n), seed=seed)
    xy = 0.5 + (layout.xy - 0.5) * 0.25
    nodes = pl.DataFrame({"id": [str(i) for i in range(n)], "label": [f"a rather long name {i}" for i in range(n)],
                          "pagerank": rng.pareto(2, n) + 0.1, "group": group, "x": xy[:, 0], "y": xy[:, 1],
                          "region": layout.region, "row": np.arange(n)})  # fmt: skip
    links = pl.DataFrame({"source": [str(i) for i in src], "target": [str(j) for j in dst], "src": src, "dst": dst,
                          "weight": np.ones(n - 1, int), "quote": np.ones(n - 1, int), "reply": np.zeros(n - 1, int),
                          "implicit": np.zeros(n - 1, int), "agree": rng.integers(0, 2, n - 1),
                          "neutral": np.zeros(n - 1, int), "disagree": rng.integers(0, 2, n - 1),
                          "assumed": np.zeros(n - 1, bool)})  # fmt: skip
    return mark_backbone(GraphView("author", nodes, links, n, n - 1, "camp", layout))


def test_network_labels_never_overlap_each_other_or_nodes_and_are_left_out_when_crowded():
    view = crowded_view()
    with style.figure_style():
        fig = network.network_map(view, top=60)
    ax = fig.axes[0]
    names = [t for t in ax.texts if t.get_text().startswith("a rather long name")]
    assert 1 <= len(names) < 60  # some fit, most do not
    assert_labels_clear(fig, ax)


@pytest.mark.parametrize("corpus", CORPORA)
def test_labels_are_clear_on_real_figures(corpus, request):
    pictures = pictures_of(request, corpus, top=25)
    with style.figure_style():
        fig = network.network_map(pictures.drawn, top=25)
    assert_labels_clear(fig, fig.axes[0])


# Direction, assumed links, options -----------------------------------------------------------------------------


def _arrowheads(ax) -> int:
    return sum(len(c.get_paths()) for c in ax.collections if isinstance(c, PolyCollection))


def test_directed_links_have_arrowheads_at_the_target(labelled, request):
    pictures = pictures_of(request, "labelled")
    with style.figure_style():
        fig = network.network_map(pictures.drawn)
    ax = fig.axes[0]
    drawn_links = int(pictures.drawn.links["backbone"].sum())
    assert _arrowheads(ax) >= 0.8 * drawn_links
    # each triangle's tip is nearer its link's target than its source
    heads = next(c for c in ax.collections if isinstance(c, PolyCollection)).get_paths()
    view = pictures.drawn
    xy = view.xy
    strong = view.links.filter(pl.col("backbone"))
    targets, sources = xy[strong["dst"].to_numpy()], xy[strong["src"].to_numpy()]
    for path in heads[:20]:
        tip = path.vertices[0]
        nearest = np.argmin(np.hypot(*(targets - tip).T))
        assert np.hypot(*(targets[nearest] - tip)) < np.hypot(*(sources[nearest] - tip))


def test_assumed_links_are_dashed_named_in_the_legend_and_can_be_hidden(assumed, request):
    pictures = pictures_of(request, "assumed")
    assert pictures.view.links["assumed"].any()
    with style.figure_style():
        fig = network.network_map(pictures.drawn)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "assumed (implicit)" in texts
    dashed = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)
              and any(style_[1] is not None for style_ in c.get_linestyles())]  # fmt: skip
    assert dashed
    hidden = pictures_of(request, "assumed", hide_assumed=True)
    assert not hidden.drawn.links["assumed"].any() and hidden.drawn.m < pictures.drawn.m
    with style.figure_style():
        fig = network.network_map(hidden.drawn)
    assert "assumed (implicit)" not in [t.get_text() for t in fig.legends[0].get_texts()]


def test_min_degree_and_top_shape_the_network(labelled, request):
    wide = pictures_of(request, "labelled", top=3, min_degree=4)
    assert bool((wide.drawn.nodes["degree"] >= 4).all()) and wide.drawn.n < wide.view.n
    with style.figure_style():
        fig = network.network_map(wide.drawn, top=3)
    names = set(wide.drawn.nodes["label"].to_list())
    assert 1 <= sum(t.get_text() in names for t in fig.axes[0].texts) <= 3
    assert "fewer than 4 links left out" in fig.axes[0].get_xlabel()


def test_names_not_ids_in_titles_legends_and_labels(labelled, request):
    pictures = pictures_of(request, "labelled", thread="thread1")
    with style.figure_style():
        arcs = threads.thread_arcs(pictures.thread, grouping=pictures.view.grouping)
        trees = threads.cascade_trees(pictures.trees, grouping=pictures.view.grouping)
    assert arcs.axes[0].get_title(loc="left") == "Thread: Thread 1: a question"
    titles = [ax.get_title(loc="left") for ax in trees.axes if ax.get_title(loc="left")]
    assert titles and all("Thread 1: a question" in t and "thread1#" not in t for t in titles)
    legend = [t.get_text() for t in trees.legends[0].get_texts()]
    assert any(t.startswith("camp ") for t in legend)


def test_a_thread_that_does_not_exist_is_one_clear_error(labelled):
    from sna.errors import SnaError

    posts, edges, metrics = labelled
    with pytest.raises(SnaError, match=r"--thread 'nope': no such thread; the largest are 'thread"):
        picture_data(posts, edges, metrics, PictureOptions(thread="nope"))


def test_an_unknown_author_is_named_by_data_not_by_a_name_pattern():
    from sna.analysis.report import compute_metrics
    from tests.helpers import thread

    posts = thread("first", "second", "third", authors=["[post p3]", None, "ann"])
    edges = pl.DataFrame({"source": ["p2", "p3"], "target": ["p1", "p2"], "kind": ["quote", "reply"]})
    metrics = compute_metrics(posts, edges)
    pictures = picture_data(posts, edges, metrics, PictureOptions(), level="author")
    labels = dict(zip(pictures.view.nodes["id"].to_list(), pictures.view.nodes["label"].to_list(), strict=True))
    assert labels["[post p3]"] == "[post p3]"  # a real user with an odd name keeps it
    assert labels["[post p2]"] == "unknown author #2"


# Large threads and cascades --------------------------------------------------------------------------------------


def long_forum(n=900):
    """One thread of ``n`` posts: a long chain with fans, every reply labelled."""
    from sna.analysis.report import compute_metrics
    from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, conform

    rng = np.random.default_rng(2)
    parent = [max(0, i - 1 - int(rng.integers(0, 5))) if i % 7 else 0 for i in range(n)]
    posts = conform(pl.DataFrame({"thread_id": ["big"] * n, "post_id": [f"big#{i + 1}" for i in range(n)],
                                  "position": list(range(1, n + 1)), "author": [f"u{i % 40}" for i in range(n)],
                                  "title": ["A very long thread"] * n, "text": ["words"] * n,
                                  "raw_text": ["words"] * n}), POSTS_SCHEMA)  # fmt: skip
    edges = conform(
        pl.DataFrame(
            {
                "source": [f"big#{i + 1}" for i in range(1, n)],
                "target": [f"big#{parent[i] + 1}" for i in range(1, n)],
                "kind": "reply",
                "stance": rng.choice(["agree", "disagree", "neutral"], n - 1),
            }
        ),
        EDGES_SCHEMA,
    )
    return posts, edges, compute_metrics(posts, edges)


def test_large_threads_fade_long_arcs_and_large_cascades_become_icicles():
    posts, edges, metrics = long_forum()
    pictures = picture_data(posts, edges, metrics)
    with style.figure_style():
        arcs = threads.thread_arcs(pictures.thread, grouping=pictures.view.grouping)
        trees = threads.cascade_trees(pictures.trees, grouping=pictures.view.grouping)
    lines = arcs.axes[0].collections[0]
    alphas = np.asarray(lines.get_colors())[:, 3]
    assert alphas.min() < 0.5 * alphas.max()  # long arcs fainter
    assert "(fainter when longer)" in " ".join(t.get_text() for t in arcs.axes[0].texts)
    ax = trees.axes[0]
    cells = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert cells and "icicle" in ax.get_xlabel()
    assert len(cells[0].get_paths()) <= pictures.trees[0].nodes.height


# Files --------------------------------------------------------------------------------------------------------------


def test_files_are_identical_on_reruns(tmp_path):
    from sna.analysis.report import compute_metrics
    from sna.export import atomic_outputs
    from sna.render import write_figures
    from tests.render.fixtures import labelled_forum

    posts, edges = labelled_forum(45, assumed_every=6)
    metrics = compute_metrics(posts, edges)
    runs = []
    for name in ("a", "b"):
        pictures = picture_data(posts, edges, metrics)
        with atomic_outputs(tmp_path / name) as stage:
            written = write_figures(pictures, stage, svg=True, dpi=72)
        runs.append({n: (tmp_path / name / n).read_bytes() for n in written})
    assert runs[0].keys() == runs[1].keys() and len(runs[0]) == 16
    for name in runs[0]:
        assert runs[0][name] == runs[1][name], name
    assert b"<dc:date>" not in runs[0]["network.svg"]


def test_a_thread_without_links_still_draws_every_figure(tmp_path):
    from sna.analysis.report import compute_metrics
    from sna.export import atomic_outputs
    from sna.render import write_figures, write_html
    from sna.schema import EDGES_SCHEMA
    from tests.helpers import thread

    posts, edges = thread("a", "b", "c"), pl.DataFrame(schema=EDGES_SCHEMA)
    metrics = compute_metrics(posts, edges)
    pictures = picture_data(posts, edges, metrics, pages=True)
    with atomic_outputs(tmp_path) as stage:
        names = write_figures(pictures, stage) + write_html(pictures, stage)
    assert len(names) == 7 and all((tmp_path / n).stat().st_size > 1000 for n in names)


def test_legends_name_many_communities_in_the_plural():
    from sna.render.style import group_entries

    _, entries = group_entries(np.arange(1, 12), "community")
    assert entries[-1].label.startswith("5 other communities")
    _, entries = group_entries(np.arange(1, 12), "camp")
    assert entries[-1].label.startswith("5 other camps")
