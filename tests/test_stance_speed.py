"""The array features give the same predictions as the old per-pair code (bench/stance_reference.py)."""

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sna
from bench import stance_reference as reference
from sna.stance import features as features_module
from sna.stance import label_edges, load_model
from sna.stance import tokens as tokens_module
from sna.stance.features import BLOCK_BITS, extract, featurize
from sna.stance.tokens import _negated, clean_and_tokenise, clean_text, clean_texts, tokenise, tokens
from tests.helpers import DATA, SEED

SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
# Characters where Python and polars could disagree: separators that only Python calls space, quote
# markers, entities, curly quotes, non-ASCII letters whose lower case differs, digits and apostrophes.
PIECES = ["&gt;", "&amp;", "n't", "not", "http://x.y", "www.", "well said"]
ALPHABET = st.sampled_from([*"ab zN'’‘?!.,;:>\n\r\t\x1c\x1f\x85\xa0\u2028\u2029İΣςé9-…—•«¿", *PIECES])
TEXT = st.lists(ALPHABET, max_size=40).map("".join)


@SETTINGS
@given(st.lists(st.one_of(st.none(), TEXT), max_size=8))
def test_batch_cleaning_and_tokens_match_the_one_text_definitions(texts):
    cleaned = clean_texts(pl.Series(texts, dtype=pl.String)).to_list()
    assert cleaned == [clean_text(t) for t in texts] == [reference.clean_text(t) for t in texts]
    tok = tokenise(cleaned)
    for i, text in enumerate(cleaned):
        assert [tok.token(j) for j in range(tok.offsets[i], tok.offsets[i + 1])] == tokens(text)
        assert tokens(text) == reference.tokens(text)


@SETTINGS
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=6), st.data())
def test_features_match_the_per_pair_reference(pairs, data):
    # repeat texts across pairs, as threads do (a parent answered twice, a reply that is also a parent)
    texts = [t for pair in pairs for t in pair]
    parents = [data.draw(st.sampled_from(texts)) for _ in pairs]
    replies = [r for _, r in pairs]
    new, old = extract(parents, replies), reference.extract(parents, replies)
    for name, cells in old.blocks.items():
        for a, b in zip(new.blocks[name], cells, strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(new.dense, old.dense)


def _fixture_pairs() -> tuple[list[str], list[str]]:
    """Real pairs: DEBAGREEMENT dev sample, and the quote/reply edges of the IAC thread and the seed thread."""
    sample = pl.read_csv(DATA / "debagreement-dev-sample.csv", infer_schema=False)
    parents, replies = sample["body_parent"].to_list(), sample["body_child"].to_list()
    posts = pl.read_csv(DATA / "iac-8052-posts.csv", infer_schema=False)
    text = dict(zip(posts["post_id"], posts["text"], strict=True))
    quotes = pl.read_csv(DATA / "iac-8052-quotes.csv", infer_schema=False)
    for source, target in quotes.select(quotes.columns[:2]).iter_rows():
        parents.append(text[target])
        replies.append(text[source])
    seed = sna.ingest([SEED])
    words = dict(zip(seed.posts["post_id"], seed.posts["text"], strict=True))
    for row in seed.edges.iter_rows(named=True):
        parents.append(row["quoted_text"] or words[row["target"]])
        replies.append(words[row["source"]])
    return parents, replies


def test_predictions_on_real_pairs_are_those_of_the_per_pair_path():
    parents, replies = _fixture_pairs()
    assert len(parents) >= 100
    model = load_model()
    new = model.predict_proba(parents, replies)
    old = reference.predict_proba(model, parents, replies)
    np.testing.assert_array_equal(new.argmax(axis=1), old.argmax(axis=1))
    np.testing.assert_allclose(new, old, rtol=0, atol=1e-12)


def test_label_edges_on_the_seed_thread_is_that_of_the_per_pair_path():
    seed = sna.ingest([SEED])
    out = label_edges(seed.posts, seed.edges)
    todo = out.filter(pl.col("kind") == "quote")
    assert todo.height == 12 and todo["stance"].null_count() == 0
    words = dict(zip(seed.posts["post_id"], seed.posts["text"], strict=True))
    parents = [q or words[t] for q, t in zip(todo["quoted_text"], todo["target"], strict=True)]
    old = reference.predict_proba(load_model(), parents, [words[s] for s in todo["source"]])
    assert todo["stance"].to_list() == [("disagree", "neutral", "agree")[k] for k in old.argmax(axis=1)]
    np.testing.assert_allclose(todo["stance_score"].to_numpy(), old[:, 2] - old[:, 0], rtol=0, atol=1e-12)


def test_each_distinct_text_is_featurized_once():
    feats = featurize(["A", "A", "B", None], ["B", "C", "C", ""])
    assert feats.texts == 4  # A, B, "" (None and "" are the same empty text), C
    assert feats.parent.tolist() == [0, 0, 1, 2] and feats.reply.tolist() == [1, 3, 3, 2]
    with pytest.raises(ValueError, match="unknown feature block"):
        featurize(["a"], ["b"], blocks=["emoji"])


def test_known_buckets_keep_exactly_those_cells_and_the_same_scores():
    parents, replies = _fixture_pairs()
    rng = np.random.default_rng(0)
    known = {name: rng.random(1 << bits) < 0.3 for name, bits in BLOCK_BITS.items()}
    full, part = featurize(parents, replies), featurize(parents, replies, known=known)
    for name, (rows, buckets, counts) in full.blocks.items():
        keep = known[name][buckets]
        assert 0 < keep.sum() < len(keep)
        for a, b in zip(part.blocks[name], (rows[keep], buckets[keep], counts[keep]), strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(part.dense, full.dense)
    model = load_model()  # the model's own buckets: dropping the others changes no bit of the scores
    own = featurize(parents, replies, blocks=model.used_blocks,
                    known={name: model.blocks[name].lookup >= 0 for name in model.used_blocks})  # fmt: skip
    assert model.text_logits(own).tobytes() == model.text_logits(full).tobytes()


def _same_tokens(a, b) -> None:
    for name in ("offsets", "words", "negated", "agree_phrases", "other_phrases"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name
    assert a.vocab.to_list() == b.vocab.to_list() and a.clean.to_list() == b.clean.to_list()


@SETTINGS
@given(st.lists(st.one_of(st.none(), TEXT), max_size=12), st.integers(2, 5))
def test_tokenising_in_parts_gives_the_arrays_of_one_batch(texts, parts):
    series = pl.Series(texts, dtype=pl.String)
    _same_tokens(clean_and_tokenise(series, parts=parts), tokenise(clean_texts(series)))


def _negated_loop(is_end, is_neg, lengths):
    out, start = [], 0
    for length in lengths:
        negated = False
        for i in range(start, start + length):
            out.append(negated and not is_end[i])
            if is_end[i]:
                negated = False
            elif is_neg[i]:
                negated = True
        start += length
    return out


@SETTINGS
@given(st.lists(st.lists(st.sampled_from("wen"), max_size=8), max_size=6))
def test_negation_scopes_are_those_of_the_token_loop(texts):
    kinds = np.array([k for text in texts for k in text], dtype="<U1")
    is_end, is_neg = kinds == "e", kinds == "n"
    lengths = np.array([len(t) for t in texts], np.int64)
    assert _negated(is_end, is_neg, lengths).tolist() == _negated_loop(is_end, is_neg, lengths)


def test_features_of_real_pairs_are_the_same_when_tokenised_in_parts(monkeypatch):
    parents, replies = _fixture_pairs()
    model = load_model()
    known = {name: model.blocks[name].lookup >= 0 for name in model.used_blocks}
    one = featurize(parents, replies, known=known)
    monkeypatch.setattr(tokens_module, "PART_TEXTS", 10)
    monkeypatch.setattr(tokens_module, "workers", lambda: 2)
    monkeypatch.setattr(features_module, "PART_TEXTS", 10)
    monkeypatch.setattr(features_module, "workers", lambda: 2)
    two = featurize(parents, replies, known=known)
    assert one.texts == two.texts > 40
    for name, cells in one.blocks.items():
        for a, b in zip(two.blocks[name], cells, strict=True):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name
    assert one.dense.tobytes() == two.dense.tobytes()
    assert model.text_logits(one).tobytes() == model.text_logits(two).tobytes()


def test_scores_in_small_batches_side_by_side_are_those_of_one_batch(monkeypatch):
    from sna.stance import model as model_module

    parents, replies = _fixture_pairs()
    model = load_model()
    one = model.predict_proba(parents, replies)
    monkeypatch.setattr(model_module, "CHUNK", 7)
    monkeypatch.setattr(model_module, "SPLIT", 10)
    monkeypatch.setattr(model_module, "workers", lambda: 2)
    batched = model.predict_proba(parents, replies)
    assert len(parents) > 2 * 7 and batched.tobytes() == one.tobytes()
    halves = model.predict_proba(parents[:11], replies[:11])  # two batches of 6 and 5 pairs
    assert halves.tobytes() == one[:11].tobytes()
    monkeypatch.setattr(model_module, "workers", lambda: 1)
    assert model.predict_proba(pl.Series(parents), pl.Series(replies)).tobytes() == one.tobytes()


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2**16 - 1)), max_size=40))
def test_cells_are_those_of_a_sparse_matrix_with_duplicates_summed(entries):
    import scipy.sparse as sp

    rows = np.array([r for r, _ in entries], np.int64)
    buckets = np.array([b for _, b in entries], np.int64)
    got = features_module._cells(rows, buckets, "reply_opening")
    matrix = sp.coo_matrix((np.ones(len(rows), np.int64), (rows, buckets)), shape=(7, 2**16)).tocsr()
    matrix.sum_duplicates()
    want_rows = np.repeat(np.arange(7), np.diff(matrix.indptr))
    assert [a.tolist() for a in got] == [want_rows.tolist(), matrix.indices.tolist(), matrix.data.tolist()]
    assert got[2].dtype == np.int64


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=6), st.data())
def test_shared_words_are_those_of_python_sets(texts, data):
    tok = tokenise(clean_texts(pl.Series(texts, dtype=pl.String)))
    index = st.integers(0, len(texts) - 1)
    reply = np.array(data.draw(st.lists(index, max_size=8)), np.int64)
    parent = np.array(data.draw(st.lists(index, min_size=len(reply), max_size=len(reply))), np.int64)
    sets = [set(tok.words[tok.offsets[i] : tok.offsets[i + 1]].tolist()) for i in range(tok.n)]
    r_set, p_set, shared = features_module._shared_words(tok, reply, parent)
    assert r_set.tolist() == [len(sets[r]) for r in reply]
    assert p_set.tolist() == [len(sets[p]) for p in parent]
    assert shared.tolist() == [float(len(sets[r] & sets[p])) for r, p in zip(reply, parent, strict=True)]
