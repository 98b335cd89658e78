"""A BERT encoder with a classification head as an ONNX graph, built from numpy weights.

The accurate stance model (:mod:`sna.stance.accurate`) is MiniLM (6 layers,
hidden size 384, 12 heads) whose lower layers are the public base weights and
whose top layers and head were fine-tuned. This module writes that network as
a plain ONNX graph (opset 17: ``LayerNormalization``, ``Erf`` GELU, ``Softmax``
attention), so that the runtime needs onnxruntime and numpy only — no PyTorch
and no exported file from a model hub. The training code
(``bench/train_stance_accurate.py``) computes the same function in PyTorch and
checks the two agree.

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


def build_graph(weights: Mapping[str, np.ndarray], *, layers: int = LAYERS, heads: int = HEADS):
    """The encoder and head as an ``onnx.ModelProto`` (float32).

    Inputs ``input_ids``, ``token_type_ids``, ``attention_mask`` (int64,
    batch × length); output ``logits`` (batch × classes).

    Parameters
    ----------
    weights : mapping of str to np.ndarray
        BERT weights (``embeddings.*``, ``encoder.layer.N.*``) and ``head.*``.
    layers, heads : int
        Transformer layers to apply and attention heads per layer.

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
    hidden = int(weights["embeddings.word_embeddings.weight"].shape[1])
    size = hidden // heads

    def const(name: str, value) -> str:
        inits[name] = np.asarray(value)
        return name

    def w(name: str, transpose: bool = False) -> str:
        array = np.asarray(weights[name], dtype=np.float32)
        return const(name, np.ascontiguousarray(array.T) if transpose else array)

    def node(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
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

    # additive attention mask (batch, 1, 1, length) and the mask as float for pooling
    maskf = node("Cast", ["attention_mask"], "mask_float", to=TensorProto.FLOAT)
    inverse = node("Sub", [const("one_f", np.array(1.0, np.float32)), maskf], "mask_inverse")
    additive = node("Mul", [inverse, const("neg_big", np.array(-10000.0, np.float32))], "mask_additive")
    additive = node("Unsqueeze", [additive, const("axes12", np.array([1, 2], np.int64))], "mask_4d")
    split_shape = const("split_shape", np.array([0, 0, heads, size], np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], np.int64))
    scale = const("attention_scale", np.array(1.0 / np.sqrt(size), np.float32))

    for i in range(layers):
        p = f"encoder.layer.{i}"
        heads_of = {}
        for part in ("query", "key", "value"):
            y = linear(x, f"{p}.attention.self.{part}", f"l{i}/{part}")
            y = node("Reshape", [y, split_shape], f"l{i}/{part}_split")
            perm = [0, 2, 3, 1] if part == "key" else [0, 2, 1, 3]
            heads_of[part] = node("Transpose", [y], f"l{i}/{part}_heads", perm=perm)
        scores = node("MatMul", [heads_of["query"], heads_of["key"]], f"l{i}/scores")
        scores = node("Add", [node("Mul", [scores, scale], f"l{i}/scaled"), additive], f"l{i}/masked")
        probs = node("Softmax", [scores], f"l{i}/probs", axis=-1)
        context = node("MatMul", [probs, heads_of["value"]], f"l{i}/context")
        context = node("Transpose", [context], f"l{i}/context_t", perm=[0, 2, 1, 3])
        context = node("Reshape", [context, merge_shape], f"l{i}/context_merged")
        attended = linear(context, f"{p}.attention.output.dense", f"l{i}/attn_out")
        x = layer_norm(node("Add", [attended, x], f"l{i}/attn_res"), f"{p}.attention.output.LayerNorm", f"l{i}/ln1")
        inner = linear(x, f"{p}.intermediate.dense", f"l{i}/ffn_in")
        gelu = node("Mul", [inner, node("Add", [const("one_f2", np.array(1.0, np.float32)),
                            node("Erf", [node("Mul", [inner, const("inv_sqrt2", np.array(1 / np.sqrt(2), np.float32))],
                                              f"l{i}/gelu_scaled")], f"l{i}/gelu_erf")], f"l{i}/gelu_1p")],
                    f"l{i}/gelu_x")  # fmt: skip
        gelu = node("Mul", [gelu, const("half", np.array(0.5, np.float32))], f"l{i}/gelu")
        out = linear(gelu, f"{p}.output.dense", f"l{i}/ffn_out")
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
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="sna")
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
