"""A BERT encoder with a classification head as an ONNX graph, built from numpy weights.

The accurate stance model (:mod:`sna.stance.accurate`) is MiniLM (6 layers,
hidden size 384, 12 heads) whose lower layers are the public base weights and
whose top layers and head were fine-tuned. This module writes that network as
an ONNX graph (opset 17 with two of onnxruntime's fused ``com.microsoft``
operators: ``MultiHeadAttention`` — scores, padding mask, softmax and context in
one kernel, no reshapes or transposes in the graph — and ``BiasGelu``), so that
the runtime needs onnxruntime and numpy only — no PyTorch and no exported file
from a model hub. The query, key, value and feed-forward products stay plain
``MatMul`` nodes, which onnxruntime's dynamic quantisation turns into int8 ones
(the same as before the fused operators, so the logits did not change). ``tests/test_stance_accurate.py``
checks the graph against the same network written out in numpy; the training
code (``bench/train_stance_accurate.py``) computes it in PyTorch.

Weight names follow the Hugging Face BERT layout (``embeddings.*``,
``encoder.layer.N.*``) plus ``head.weight`` / ``head.bias`` (3 × 384), applied to
the mean of the last layer's token vectors over the real (unpadded) tokens.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

HIDDEN = 384
HEADS = 12
LAYERS = 6
EPS = 1e-12
OPSET = 17
MS_DOMAIN = "com.microsoft"
GRAPH_VERSION = 2
"""Bumped when :func:`build_graph` computes differently (names the cached assembled model)."""


def build_graph(weights: Mapping[str, np.ndarray], *, layers: int = LAYERS, heads: int = HEADS, fused: bool = True):
    """The encoder and head as an ``onnx.ModelProto`` (float32).

    Inputs ``input_ids``, ``token_type_ids``, ``attention_mask`` (int64,
    batch × length); output ``logits`` (batch × classes).

    Parameters
    ----------
    weights : mapping of str to np.ndarray
        BERT weights (``embeddings.*``, ``encoder.layer.N.*``) and ``head.*``.
    layers, heads : int
        Transformer layers to apply and attention heads per layer.
    fused : bool
        onnxruntime's fused ``MultiHeadAttention`` and ``BiasGelu`` (the default,
        faster), or the same function in standard ONNX operators only (for any
        ONNX runtime, and the baseline of ``bench/bench_stance.py``).

    Returns
    -------
    onnx.ModelProto

    Examples
    --------
    >>> import pytest
    >>> onnx = pytest.importorskip("onnx")  # the accurate extra: make install-accurate
    >>> rng = np.random.default_rng(0)
    >>> w = toy_weights(rng, hidden=8, layers=1, vocab=10)
    >>> graph = build_graph(w, layers=1, heads=2)
    >>> [o.name for o in graph.graph.output]
    ['logits']
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes: list = []
    inits: dict[str, np.ndarray] = {}

    def const(name: str, value) -> str:
        inits[name] = np.asarray(value)
        return name

    def w(name: str, transpose: bool = False) -> str:
        array = np.asarray(weights[name], dtype=np.float32)
        return const(name, np.ascontiguousarray(array.T) if transpose else array)

    def node(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def ms_node(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=MS_DOMAIN, **attrs))
        return output

    def linear(x: str, prefix: str, out: str) -> str:
        y = node("MatMul", [x, w(prefix + ".weight", transpose=True)], out + "/matmul")
        return node("Add", [y, w(prefix + ".bias")], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, w(prefix + ".weight"), w(prefix + ".bias")], out, axis=-1, epsilon=EPS)

    # embeddings: word + position + token type, then LayerNorm
    const("shape/positions_start", np.array(0, np.int64))
    const("shape/one", np.array(1, np.int64))
    shape = node("Shape", ["input_ids"], "ids_shape")
    length = node("Gather", [shape, const("shape/idx1", np.array(1, np.int64))], "length")
    positions = node("Range", ["shape/positions_start", length, "shape/one"], "positions")
    word = node("Gather", [w("embeddings.word_embeddings.weight"), "input_ids"], "emb/word")
    pos = node("Gather", [w("embeddings.position_embeddings.weight"), positions], "emb/pos")
    typ = node("Gather", [w("embeddings.token_type_embeddings.weight"), "token_type_ids"], "emb/type")
    x = node("Add", [node("Add", [word, pos], "emb/word_pos"), typ], "emb/sum")
    x = layer_norm(x, "embeddings.LayerNorm", "emb/out")

    # the mask as float for pooling; for the attention as int32 (fused) or additive (batch, 1, 1, length)
    maskf = node("Cast", ["attention_mask"], "mask_float", to=TensorProto.FLOAT)
    if fused:
        key_padding_mask = node("Cast", ["attention_mask"], "mask_int32", to=TensorProto.INT32)
    else:
        inverse = node("Sub", [const("one_f", np.array(1.0, np.float32)), maskf], "mask_inverse")
        additive = node("Mul", [inverse, const("neg_big", np.array(-10000.0, np.float32))], "mask_additive")
        additive = node("Unsqueeze", [additive, const("axes12", np.array([1, 2], np.int64))], "mask_4d")
        size = int(weights["embeddings.word_embeddings.weight"].shape[1]) // heads
        split_shape = const("split_shape", np.array([0, 0, heads, size], np.int64))
        merge_shape = const("merge_shape", np.array([0, 0, heads * size], np.int64))
        scale = const("attention_scale", np.array(1.0 / np.sqrt(size), np.float32))

    def attention(i: int, q: str, k: str, v: str) -> str:
        if fused:
            return ms_node("MultiHeadAttention", [q, k, v, "", key_padding_mask], f"l{i}/attention", num_heads=heads)
        split = {}
        for part, y, perm in (("query", q, [0, 2, 1, 3]), ("key", k, [0, 2, 3, 1]), ("value", v, [0, 2, 1, 3])):
            split[part] = node("Transpose", [node("Reshape", [y, split_shape], f"l{i}/{part}_split")],
                               f"l{i}/{part}_heads", perm=perm)  # fmt: skip
        scores = node("MatMul", [split["query"], split["key"]], f"l{i}/scores")
        scores = node("Add", [node("Mul", [scores, scale], f"l{i}/scaled"), additive], f"l{i}/masked")
        context = node("MatMul", [node("Softmax", [scores], f"l{i}/probs", axis=-1), split["value"]], f"l{i}/context")
        context = node("Transpose", [context], f"l{i}/context_t", perm=[0, 2, 1, 3])
        return node("Reshape", [context, merge_shape], f"l{i}/context_merged")

    def gelu(i: int, y: str, bias: str) -> str:
        if fused:
            return ms_node("BiasGelu", [y, w(bias)], f"l{i}/gelu")
        inner = node("Add", [y, w(bias)], f"l{i}/ffn_in_biased")
        scaled = node("Mul", [inner, const("inv_sqrt2", np.array(1 / np.sqrt(2), np.float32))], f"l{i}/gelu_scaled")
        one_plus = node("Add", [const("one_f2", np.array(1.0, np.float32)), node("Erf", [scaled], f"l{i}/gelu_erf")],
                        f"l{i}/gelu_1p")  # fmt: skip
        return node("Mul", [node("Mul", [inner, one_plus], f"l{i}/gelu_x"), const("half", np.array(0.5, np.float32))],
                    f"l{i}/gelu")  # fmt: skip

    for i in range(layers):
        p = f"encoder.layer.{i}"
        q, k, v = (linear(x, f"{p}.attention.self.{part}", f"l{i}/{part}") for part in ("query", "key", "value"))
        attended = linear(attention(i, q, k, v), f"{p}.attention.output.dense", f"l{i}/attn_out")
        x = layer_norm(node("Add", [attended, x], f"l{i}/attn_res"), f"{p}.attention.output.LayerNorm", f"l{i}/ln1")
        inner = node("MatMul", [x, w(f"{p}.intermediate.dense.weight", transpose=True)], f"l{i}/ffn_in")
        out = linear(gelu(i, inner, f"{p}.intermediate.dense.bias"), f"{p}.output.dense", f"l{i}/ffn_out")
        x = layer_norm(node("Add", [out, x], f"l{i}/ffn_res"), f"{p}.output.LayerNorm", f"l{i}/ln2")

    # mean over real tokens, then the head
    weight = node("Unsqueeze", [maskf, const("axis2", np.array([2], np.int64))], "pool_weight")
    total = node("ReduceSum", [node("Mul", [x, weight], "pool_masked"), "shape/axis1"], "pool_sum", keepdims=0)
    const("shape/axis1", np.array([1], np.int64))
    count = node("ReduceSum", [maskf, "shape/axis1"], "pool_count", keepdims=1)
    pooled = node("Div", [total, node("Max", [count, const("one_f3", np.array(1.0, np.float32))], "pool_n")],
                  "pooled")  # fmt: skip
    logits = node("MatMul", [pooled, w("head.weight", transpose=True)], "head/matmul")
    node("Add", [logits, w("head.bias")], "logits")

    def io(name: str, elem: int, dims: list) -> object:
        return helper.make_tensor_value_info(name, elem, dims)

    graph = helper.make_graph(
        nodes,
        "sna-stance-encoder",
        [io(n, TensorProto.INT64, ["batch", "length"]) for n in ("input_ids", "token_type_ids", "attention_mask")],
        [io("logits", TensorProto.FLOAT, ["batch", int(weights["head.bias"].shape[0])])],
        [numpy_helper.from_array(v, name=k) for k, v in sorted(inits.items())],
    )
    opsets = [helper.make_opsetid("", OPSET)] + ([helper.make_opsetid(MS_DOMAIN, 1)] if fused else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name="sna")
    model.ir_version = 8
    return model


def toy_weights(rng: np.random.Generator, *, hidden: int, layers: int, vocab: int, classes: int = 3) -> dict:
    """Random weights of the right shapes (for tests and examples)."""
    inner = 4 * hidden
    shapes = {
        "embeddings.word_embeddings.weight": (vocab, hidden),
        "embeddings.position_embeddings.weight": (64, hidden),
        "embeddings.token_type_embeddings.weight": (2, hidden),
        "embeddings.LayerNorm.weight": (hidden,),
        "embeddings.LayerNorm.bias": (hidden,),
        "head.weight": (classes, hidden),
        "head.bias": (classes,),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}"
        for part in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            shapes |= {f"{p}.{part}.weight": (hidden, hidden), f"{p}.{part}.bias": (hidden,)}
        shapes |= {f"{p}.intermediate.dense.weight": (inner, hidden), f"{p}.intermediate.dense.bias": (inner,),
                   f"{p}.output.dense.weight": (hidden, inner), f"{p}.output.dense.bias": (hidden,)}  # fmt: skip
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes |= {f"{p}.{ln}.weight": (hidden,), f"{p}.{ln}.bias": (hidden,)}
    return {k: (rng.standard_normal(s) * 0.2).astype(np.float32) for k, s in shapes.items()}
