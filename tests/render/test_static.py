"""Static figures: each draws something on the seed thread and on a labelled forum; files are reproducible."""

import io
import time

import matplotlib.image as mpimg
import numpy as np
import polars as pl
import pytest

from sna.render import static, style
from sna.render.views import GraphView, graph_view, post_camps, post_view


def png_pixels(fig, dpi=60):
    buffer = io.BytesIO()
    with style.figure_style():
        fig.savefig(buffer, format="png", dpi=dpi)
    return mpimg.imread(io.BytesIO(buffer.getvalue()))


def assert_drawn(fig):
    pixels = png_pixels(fig)
    assert pixels.shape[0] > 50 and pixels.shape[1] > 50
    colours = np.unique(pixels.reshape(-1, pixels.shape[-1]).round(2), axis=0)
    assert len(colours) > 5, "the image is (nearly) one colour"
    # every axes that is visible has a title (panels) or the figure has a suptitle
    for ax in fig.axes:
        if ax.get_visible() and ax.get_label() != "<colorbar>":
            assert ax.get_title() or fig.get_suptitle(), ax


def all_figures(posts, edges, metrics):
    view = graph_view(posts, edges, metrics)
    camps = post_camps(posts, metrics, view.level)
    return {
        "network": static.network_map(view),
        "arcs": static.thread_arcs(posts, edges, metrics.post_metrics, camps=camps, colored=view.colored_camps),
        "rankings": static.centrality_rankings(view),
        "trees": static.cascade_trees(metrics.cascades, metrics.post_metrics, edges, camps=camps),
        "distributions": static.cascade_distributions(metrics.cascades),
        "heatmap": static.camp_agreement(view),
        "activity": static.activity(posts, edges),
    }


@pytest.mark.parametrize("corpus", ["seed_corpus", "labelled"])
def test_every_figure_draws_something(corpus, request):
    posts, edges, metrics = request.getfixturevalue(corpus)
    for fig in all_figures(posts, edges, metrics).values():
        assert_drawn(fig)


def test_without_stance_figures_say_so(seed_corpus):
    posts, edges, metrics = seed_corpus
    view = graph_view(posts, edges, metrics)
    texts = [t.get_text() for t in static.network_map(view).axes[0].get_legend().get_texts()]
    assert any("no stance labels" in t for t in texts)
    heatmap = static.camp_agreement(view).axes[0]
    assert any("no stance labels" in t.get_text() for t in heatmap.texts)
    activity = static.activity(posts, edges).axes[0]
    assert any("no timestamps" in t.get_text() for t in activity.texts)


def test_with_stance_edges_are_coloured_by_stance_and_nodes_by_camp(labelled):
    posts, edges, metrics = labelled
    view = graph_view(posts, edges, metrics)
    assert view.level == "author" and view.has_camps and view.has_stance
    ax = static.network_map(view).axes[0]
    lines, nodes = ax.collections
    edge_colours = {tuple(np.round(c, 3)) for c in lines.get_colors()}
    import matplotlib.colors as mcolors

    assert tuple(np.round(mcolors.to_rgba(style.STANCE_COLORS["disagree"]), 3))[:3] in {c[:3] for c in edge_colours}
    node_colours = {mcolors.to_hex(c) for c in nodes.get_facecolors()}
    assert style.CAMP_COLORS[0].lower() in node_colours
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "edges: stance" in texts and any(t.startswith("camp 1") for t in texts)


def test_camp_colours_are_the_same_in_every_figure(labelled):
    posts, edges, metrics = labelled
    view = graph_view(posts, edges, metrics)
    colours, shown = static.node_colors(np.array([3, 3, 1, 1]), shown=view.colored_camps)
    assert colours[0] == style.CAMP_COLORS[2] and colours[2] == style.CAMP_COLORS[0]
    assert shown == [1, 3]


def test_labels_never_overlap_and_are_left_out_when_crowded():
    nodes = pl.DataFrame({"id": [str(i) for i in range(40)], "label": [f"a long label {i}" for i in range(40)],
                          "pagerank": np.linspace(1, 0.1, 40), "camp": [None] * 40},
                         schema_overrides={"camp": pl.Int64})  # fmt: skip
    links = pl.DataFrame(schema={"source": pl.String, "target": pl.String, "src": pl.Int64, "dst": pl.Int64,
                                 **{c: pl.Int64 for c in ("weight", "quote", "reply", "implicit", "agree", "neutral",
                                                          "disagree")}})  # fmt: skip
    positions = np.full((40, 2), 0.5) + np.linspace(0, 0.02, 40)[:, None]  # all nodes nearly on one spot
    fig = static.network_map(GraphView("author", nodes, links, 40, 0), positions=positions, top_labels=40)
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text().startswith("a long label")]
    assert 1 <= len(labels) < 12
    boxes = [t.get_window_extent() for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_arc_diagram_draws_one_arc_per_linked_pair_and_picks_the_largest_thread(labelled):
    posts, edges, metrics = labelled
    fig = static.thread_arcs(posts, edges, metrics.post_metrics)
    ax = fig.axes[0]
    largest = static.largest_thread(posts)
    ids = posts.filter(pl.col("thread_id") == largest)["post_id"]
    pairs = edges.filter(pl.col("source").is_in(ids.to_list())).select("source", "target").unique().height
    assert len(ax.collections[0].get_segments()) == pairs
    assert "largest of 3 threads" in ax.get_xlabel()
    other = static.thread_arcs(posts, edges, thread_id="thread2")
    assert "Thread 2" in other.axes[0].get_title()


def test_cascade_trees_put_the_root_on_top(seed_corpus):
    _, edges, metrics = seed_corpus
    ax = static.cascade_trees(metrics.cascades, metrics.post_metrics, edges).axes[0]
    offsets = ax.collections[-1].get_offsets()  # the root marker
    assert offsets[0][1] == 0
    assert ax.get_ylim()[0] <= -4  # depth 4 below it
    assert "32 posts" in ax.get_xlabel()


def test_distributions_switch_to_log_axes_when_values_span_decades():
    table = pl.DataFrame({"kind": ["reply"] * 150 + ["quote"] * 5,
                          "size": [*range(2, 152), 2, 2, 3, 4, 5000], "depth": [1] * 155})  # fmt: skip
    fig = static.cascade_distributions(table)
    size_ax, depth_ax = fig.axes[:2]
    assert size_ax.get_xscale() == "log" and size_ax.get_yscale() == "log"
    assert depth_ax.get_xscale() == "linear"
    x, p = static.ccdf(np.array([3, 1, 2, 2]))
    assert x.tolist() == [1, 2, 3] and p.tolist() == [1.0, 0.75, 0.25]


def test_camp_matrix_counts_by_hand():
    nodes = pl.DataFrame({"id": list("abcdef"), "camp": [1, 1, 2, 2, None, None]})
    links = pl.DataFrame({"src": [0, 1, 2, 0, 4], "dst": [1, 2, 0, 3, 0], "agree": [2, 0, 1, 0, 1],
                          "disagree": [0, 3, 1, 1, 0]})  # fmt: skip
    names, agree, disagree = static.camp_matrix(GraphView("author", nodes, links, 6, 5))
    # e and f have no camp: their row says so instead of reading as a camp
    assert names == ["camp 1", "camp 2", "no camp"]
    assert agree.tolist() == [[2, 0, 0], [1, 0, 0], [1, 0, 0]]
    assert disagree.tolist() == [[0, 4, 0], [1, 0, 0], [0, 0, 0]]
    # camps past the coloured ones are pooled under a name that says how many they are
    many = pl.DataFrame({"id": list("abcdefgh"), "camp": [1, 1, 2, 2, 3, 3, 4, 4]})
    loops = pl.DataFrame({"src": [0, 2, 4, 6], "dst": [1, 3, 5, 7], "agree": [1, 1, 1, 1], "disagree": [0, 0, 0, 0]})
    names, _, _ = static.camp_matrix(GraphView("author", many, loops, 8, 4), max_camps=2)
    assert names == ["camp 1", "camp 2", "2 other camps"]


def test_heatmap_cells_show_the_share_of_agreement(labelled):
    posts, edges, metrics = labelled
    view = graph_view(posts, edges, metrics)
    names, agree, disagree = static.camp_matrix(view)
    ax = static.camp_agreement(view).axes[0]
    first = agree[0, 0] / (agree[0, 0] + disagree[0, 0])
    assert any(t.get_text().startswith(f"{first:.0%}\n") for t in ax.texts)
    assert [t.get_text() for t in ax.get_xticklabels()] == names


def test_activity_bins_finely_and_splits_stance(labelled):
    posts, edges, _ = labelled
    fig = static.activity(posts, edges)
    assert fig.axes[0].get_ylabel() == "posts per 6 hours"  # 19 days: hours would be 450 bins
    assert fig.axes[1].get_title() == "Replies by stance"
    heights = sum(p.get_height() for p in fig.axes[0].patches)
    assert heights == posts.height


def test_rankings_show_the_top_k_in_order(labelled):
    posts, edges, metrics = labelled
    view = graph_view(posts, edges, metrics)
    ax = static.centrality_ranking(view.nodes, "pagerank", k=5, ax=None).axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()][::-1]
    best = metrics.author_metrics.sort("pagerank", descending=True)["author"].head(5).to_list()
    assert shown == best


def test_dollar_signs_in_names_do_not_start_formulas(labelled):
    posts, edges, _ = labelled
    posts = posts.with_columns(pl.col("author").str.replace("user01", "$money$ and $"))
    from sna.analysis.report import compute_metrics

    metrics = compute_metrics(posts, edges)
    assert_drawn(static.centrality_rankings(graph_view(posts, edges, metrics)))


def test_files_are_identical_on_reruns(labelled, tmp_path):
    from sna.export import atomic_outputs
    from sna.render import write_figures

    posts, edges, metrics = labelled
    runs = []
    for name in ("a", "b"):
        with atomic_outputs(tmp_path / name) as stage:
            written = write_figures(posts, edges, metrics, stage, svg=True, dpi=72)
        runs.append({n: (tmp_path / name / n).read_bytes() for n in written})
    assert runs[0].keys() == runs[1].keys() and len(runs[0]) == 14
    for name in runs[0]:
        assert runs[0][name] == runs[1][name], name
    svg = runs[0]["network.svg"].decode()
    assert "<dc:date>" not in svg and "Date" not in svg


def test_dpi_sets_the_png_size(seed_corpus, tmp_path):
    from sna.export import atomic_outputs
    from sna.render import write_figures

    posts, edges, metrics = seed_corpus
    sizes = {}
    for dpi in (50, 100):
        with atomic_outputs(tmp_path / str(dpi)) as stage:
            write_figures(posts, edges, metrics, stage, dpi=dpi)
        sizes[dpi] = mpimg.imread(tmp_path / str(dpi) / "network.png").shape[1]
    assert sizes[100] == 2 * sizes[50]


def test_truncated_graphs_say_what_was_drawn(labelled):
    posts, edges, metrics = labelled
    view = post_view(posts, edges, metrics, max_nodes=20)
    assert view.n == 20 and view.total_nodes == posts.height
    xlabel = static.network_map(view).axes[0].get_xlabel()
    assert f"{posts.height:,} posts" in xlabel and "drawn: the 20 posts with the highest PageRank" in xlabel


def test_a_ten_thousand_node_graph_draws_in_seconds():
    rng = np.random.default_rng(0)
    n = 10_000
    parent = (rng.random(n - 1) * np.arange(1, n)).astype(int)
    nodes = pl.DataFrame({"id": [str(i) for i in range(n)], "label": [f"n{i}" for i in range(n)],
                          "pagerank": rng.pareto(2, n), "camp": rng.integers(1, 6, n)})  # fmt: skip
    links = pl.DataFrame({"source": [str(i) for i in range(1, n)], "target": [str(p) for p in parent],
                          "src": np.arange(1, n), "dst": parent, "weight": np.ones(n - 1, int),
                          "quote": np.zeros(n - 1, int), "reply": np.ones(n - 1, int), "implicit": np.zeros(n - 1, int),
                          "agree": rng.integers(0, 2, n - 1), "neutral": np.zeros(n - 1, int),
                          "disagree": rng.integers(0, 2, n - 1)})  # fmt: skip
    start = time.perf_counter()
    fig = static.network_map(GraphView("post", nodes, links, n, n - 1))
    png_pixels(fig, dpi=100)
    assert time.perf_counter() - start < 30


def test_a_thread_without_links_still_draws_every_figure(tmp_path):
    from sna.analysis.report import compute_metrics
    from sna.export import atomic_outputs
    from sna.render import write_figures, write_html
    from sna.schema import EDGES_SCHEMA
    from tests.helpers import thread

    posts, edges = thread("a", "b", "c"), pl.DataFrame(schema=EDGES_SCHEMA)
    metrics = compute_metrics(posts, edges)
    with atomic_outputs(tmp_path) as stage:
        names = write_figures(posts, edges, metrics, stage) + write_html(posts, edges, metrics, stage)
    assert len(names) == 7 and all((tmp_path / n).stat().st_size > 1000 for n in names)
    assert any(
        "no reply cascades" in t.get_text()
        for t in static.cascade_trees(metrics.cascades, metrics.post_metrics).axes[0].texts
    )
