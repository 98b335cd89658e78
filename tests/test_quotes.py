"""Recovering quotes pasted without markup, case by case."""

import random

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sna import quotes, shingles
from sna.quotes import STOCK_PHRASES, find_pasted_quotes, locate_quoted_posts, normalize
from sna.shingles import (
    TOKEN_PATTERN,
    Tokens,
    bytes_to_texts,
    normalized,
    run_keys,
    sequence_keys,
    text_bytes,
    tokenize,
)
from tests.helpers import DATA, thread

CATS = "Cats are the finest companions a person could ever hope to have at home."
DOGS = "Dogs need walks twice a day, which keeps their owners fit and cheerful."
FISH = "Fish are quiet, cheap to feed and never chew the furniture when you are out."


def edges(posts):
    return sorted(find_pasted_quotes(posts).blocks.select("source", "target").unique().rows())


def test_whole_post_quoted():
    posts = thread(CATS, f"{CATS}\n\nI could not disagree more.")
    assert edges(posts) == [("p2", "p1")]
    assert find_pasted_quotes(posts).text.to_list()[1] == "I could not disagree more."


def test_one_paragraph_of_a_longer_post():
    posts = thread(f"{CATS}\n\n{DOGS}\n\n{FISH}", f"{DOGS}\n\nMine hates walks.")
    found = find_pasted_quotes(posts)
    assert edges(posts) == [("p2", "p1")]
    assert found.blocks["quoted_text"].to_list() == [DOGS]


def test_run_of_sentences_from_inside_a_paragraph():
    posts = thread(f"{CATS} {DOGS} {FISH}", f"{DOGS} {FISH}\nBoth wrong.")
    assert edges(posts) == [("p2", "p1")]


def test_several_quotes_interleaved_with_own_words():
    posts = thread(CATS, DOGS, f"{CATS}\nNot mine.\n\n{DOGS}\nTrue enough.\n\n{CATS}\nStill no.")
    found = find_pasted_quotes(posts)
    assert edges(posts) == [("p3", "p1"), ("p3", "p2")]
    assert found.text.to_list()[2] == "Not mine.\n\nTrue enough.\n\nStill no."
    # Two blocks quote p1: one edge, both passages kept.
    assert (found.blocks["target"] == "p1").sum() == 2


def test_whitespace_punctuation_and_case_differences():
    messy = "cats ARE the finest companions -- a person could EVER hope to have at home"
    posts = thread(CATS, f"{messy.replace(' ', '  ')}\n\nNope.")
    assert edges(posts) == [("p2", "p1")]


def test_line_breaks_inside_the_quote_differ():
    posts = thread(f"{CATS} {DOGS}", f"{CATS}\n{DOGS}\n\nAgreed on both.")
    assert edges(posts) == [("p2", "p1")]


def test_nested_quote_goes_to_the_post_whose_own_words_are_quoted():
    b_own = "Birds wake the whole street at five in the morning every single day."
    posts = thread(CATS, f"{CATS}\n\n{b_own}", f"{b_own}\n\nEarplugs help.", f"{CATS}\n\nAgreed.")
    # C quotes B's own words -> C->B, not C->A; D quotes A's words -> D->A, not D->B.
    assert edges(posts) == [("p2", "p1"), ("p3", "p2"), ("p4", "p1")]


def test_copying_a_whole_post_with_its_nested_quote_goes_to_that_post():
    b_own = "Birds wake the whole street at five in the morning every single day."
    c_text = f"{CATS}\n\nI have a point here.\n\n{b_own}\n\nSo what."
    posts = thread(CATS, f"{CATS}\n\n{b_own}", c_text)
    assert ("p3", "p2") in edges(posts)
    assert ("p3", "p1") not in edges(posts)


def test_stock_phrases_are_not_quotes():
    posts = thread("I agree.", "lol", "True.", "I agree.\n\nlol\n\nTrue.", "I don't think so.", "I don't think so.")
    assert edges(posts) == []


def test_short_whole_line_quote_is_found():
    posts = thread("My wife was gay.\n\nLong story.", "My wife was gay.\n\nThis is ambiguous.")
    assert edges(posts) == [("p2", "p1")]


def test_author_quoting_their_own_earlier_post():
    posts = thread(CATS, DOGS, f"{CATS}\n\nAs I said before.", authors=["ann", "bo", "ann"])
    assert edges(posts) == [("p3", "p1")]


def test_quote_of_a_post_not_in_the_input_stays_own_words():
    posts = thread(DOGS, f"{CATS}\n\nReplying to someone on another page.")
    found = find_pasted_quotes(posts)
    assert found.blocks.height == 0
    assert found.text.to_list()[1].startswith(CATS)


def test_quotes_stay_within_a_thread():
    posts = pl.concat([thread(CATS, thread_id="a"), thread(f"{CATS}\n\nHmm.", thread_id="b")])
    posts = posts.with_columns(post_id=pl.Series(["a1", "b1"]))
    assert edges(posts) == []


def test_only_requested_posts_are_searched():
    posts = thread(CATS, f"{CATS}\n\nNo.")
    found = find_pasted_quotes(posts, recover=pl.Series([True, False]))
    assert found.blocks.height == 0


def test_locate_prefers_the_named_author():
    posts = thread(CATS, f"{CATS}", "x", authors=["ann", "bo", "cy"])
    quotes = pl.DataFrame(
        {"source": ["p3", "p3", "p3"], "target_author": ["bo", None, "dee"], "quoted_text": [CATS, CATS, CATS]}
    )
    assert locate_quoted_posts(posts, quotes).to_list() == ["p2", "p1", None]


def test_locate_stays_within_the_thread():
    posts = pl.concat([thread(CATS, DOGS, thread_id="a"), thread(DOGS, CATS, "x", thread_id="b")])
    posts = posts.with_columns(post_id=pl.Series(["a1", "a2", "b1", "b2", "b3"]))
    quotes = pl.DataFrame(
        {"source": ["a2", "b3", "b3"], "target_author": [None] * 3, "quoted_text": [DOGS, DOGS, FISH]}
    )
    assert locate_quoted_posts(posts, quotes).to_list() == [None, "b1", None]


def test_real_thread_from_iac_matches_its_quote_ranges():
    posts = pl.read_csv(DATA / "iac-8052-posts.csv", infer_schema=False).with_columns(pl.col("position").cast(pl.Int64))
    truth = set(pl.read_csv(DATA / "iac-8052-quotes.csv", infer_schema=False).rows())
    found = set(find_pasted_quotes(posts).blocks.select("source", "target").rows())
    assert len(truth) == 21
    assert found == truth


# Repeated lines that are not quotes, and tails (sna.quote_rules) ------------

SIGNATURE = "Ann Kowalska, model railways since 1998, scale H0, Sosnowiec club"


def test_signature_an_author_repeats_under_their_posts_is_not_a_quote():
    posts = thread(
        f"{CATS}\n\n{SIGNATURE}", DOGS, f"{DOGS}\n\nMine hates walks.\n\n{SIGNATURE}", authors=["ann", "bo", "ann"]
    )
    assert edges(posts) == [("p3", "p2")]
    assert find_pasted_quotes(posts).text.to_list()[2].endswith(SIGNATURE)


def test_signature_is_not_a_quote_without_authors_either():
    # A short block ending its post that repeats the last line of the post it would quote.
    posts = thread(f"{CATS}\n\n{SIGNATURE}", DOGS, f"{FISH}\n\n{SIGNATURE}", authors=[None, None, None])
    assert edges(posts) == []


def test_a_long_signature_by_unknown_authors_is_one_when_three_posts_end_with_it():
    long_signature = f"{SIGNATURE}. {FISH}"  # over 20 words: a signature only by the count
    texts = [f"{CATS}\n\n{long_signature}", f"{DOGS}\n\n{long_signature}"]
    assert edges(thread(*texts, authors=[None, None])) == [("p2", "p1")]
    assert edges(thread(*texts, f"Hello there everyone.\n\n{long_signature}", authors=[None] * 3)) == []


def test_a_whole_post_quoted_at_the_end_of_a_reply_is_still_a_quote():
    posts = thread(CATS, f"I will answer this one:\n\n{CATS}", authors=[None, None])
    assert edges(posts) == [("p2", "p1")]


def test_boilerplate_line_repeated_across_posts_is_not_a_quote():
    heading = "Spring Model Railway Festival Sosnowiec 16 March"
    texts = [f"{heading}\n\nPost number {i} says something different about trains, {i} times." for i in range(6)]
    assert edges(thread(*texts)) == []
    # In two posts only, the same line is a quote.
    assert edges(thread(texts[0], f"{heading}\n\nWill you be there?")) == [("p2", "p1")]


def test_furniture_lines_are_not_quotes():
    posts = thread(
        f"{CATS}\n\nCode: Select all\nmake install", f"{DOGS}\n\nCode: Select all\nmake test\n\nThen run it."
    )
    assert edges(posts) == []


def test_short_line_needs_strong_evidence():
    earlier = "If that were the case it would happen with all types of music.\n\nmy thinking too"
    filler = [f"Post {i} talks about amplifiers and speakers at some length." for i in range(4)]
    # Opening the reply: a quote, however far back.
    assert edges(thread(earlier, *filler, "my thinking too\n\nI don't agree.")) == [("p6", "p1")]
    # In the middle of a reply far from the post that said it: the reply's own words.
    assert edges(thread(earlier, *filler, "I don't agree.\n\nmy thinking too\n\nWhy?")) == []


def test_whole_short_post_quoted_right_after_it():
    filler = [f"Post {i} is about something else entirely, trains." for i in range(4)]
    assert edges(thread("Science, anyone?", "Science, anyone?\n\nYou start!")) == [("p2", "p1")]
    assert edges(thread("Science, anyone?", *filler, "Science, anyone?\n\nYou start!")) == []


def test_short_line_opening_a_reply_may_be_a_sentence_of_the_post_before():
    posts = thread("Did you refute anything I said?", "Umm, yeah I did. But you did not look them up.",
                   "Umm, yeah I did.\n\nExactly which of my statements did you refute?")  # fmt: skip
    assert edges(posts) == [("p3", "p2")]


def test_attachment_marker_does_not_stop_a_whole_line_match():
    said = "Thanks for the tip about the tracks, it worked great on the layout."
    posts = thread(said, f"{said} View attachment 1041937\n\nGlad it helped.")
    assert edges(posts) == [("p2", "p1")]
    thanks = "Dziękujemy za uznanie, moje moduły zostały docenione :)"
    polish = thread(thanks, f"{thanks} Zobacz załącznik 1041937\n\nGratulacje!")
    assert edges(polish) == [("p2", "p1")]


def test_short_line_with_a_tail_matches_whole():
    posts = thread("Looks really nice View attachment 99", "Looks really nice\n\nIt does, the bridge especially.")
    assert edges(posts) == [("p2", "p1")]
    expand = thread("my thinking too", "my thinking too Click to expand...\nI don't agree.")
    assert edges(expand) == [("p2", "p1")]


def test_edit_note_does_not_stop_a_whole_line_match():
    posts = thread("my thinking too", "my thinking too Last edited: Mar 3, 2020\nI don't agree.")
    assert edges(posts) == [("p2", "p1")]
    said = "That is my final answer on the matter of the bridge colours"
    posts = thread(said, f"{said} Last edited by a moderator: Mar 3, 2020\n\nFine by me.")
    assert edges(posts) == [("p2", "p1")]


def test_an_author_repeating_a_short_line_of_their_own_is_not_quoting():
    contact = "Call us: +7 (495) 995-29-92"
    posts = thread(
        f"{contact}\n\nNew house plans are ready.", DOGS, f"{contact}\n\nAnother plan.", authors=["ad", "bo", "ad"]
    )
    assert edges(posts) == []
    # Someone else pasting it opens their reply with it: a quote.
    posts = thread(f"{contact}\n\nNew house plans are ready.", f"{contact}\n\nIs this a mobile number?")
    assert edges(posts) == [("p2", "p1")]


def test_a_link_is_quoted_only_when_it_opens_a_reply():
    link = "https://www.facebook.com/BorzhavaRailway"
    assert edges(thread(f"See {DOGS}\n{link}", f"{FISH}\n{link}\n\nNice.")) == []
    assert edges(thread(f"See {DOGS}\n{link}", f"{link}\n\nThat page is gone.")) == [("p2", "p1")]


def test_real_text_pages_of_other_forums_match_their_markup():
    from sna.io import read_input

    truth = pl.read_csv(DATA / "other-forums" / "quotes.csv")
    for page in sorted((DATA / "other-forums").glob("*.txt")):
        posts = read_input(page).posts
        found = find_pasted_quotes(posts).blocks.select(
            pl.col("source").str.extract(r"#(\d+)$").cast(pl.Int64),
            pl.col("target").str.extract(r"#(\d+)$").cast(pl.Int64),
        )
        want = truth.filter(pl.col("page") == page.name).select("source", "target")
        assert sorted(set(found.rows())) == sorted(want.rows()), page.name


# Property tests -------------------------------------------------------------

VOCAB = [f"w{i}" for i in range(3000)]


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(rng.randint(8, 16))).capitalize() + "."


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(2, 8), st.integers(1, 3))
def test_property_post_built_from_an_earlier_posts_sentences_links_to_it(seed, n_posts, n_quoted):
    rng = random.Random(seed)
    texts = [" ".join(sentence(rng) for _ in range(4)) for _ in range(n_posts)]
    source = rng.randrange(n_posts)
    sentences = texts[source].replace(". ", ".|").split("|")
    start = rng.randrange(len(sentences) - n_quoted + 1)
    quoted = " ".join(sentences[start : start + n_quoted])
    reply = f"{quoted}\n\n{sentence(rng)}"
    posts = thread(*texts, reply)
    assert edges(posts) == [(f"p{n_posts + 1}", f"p{source + 1}")]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(2, 12))
def test_property_unrelated_random_text_yields_no_quotes(seed, n_posts):
    rng = random.Random(seed)
    posts = thread(*[" ".join(sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(n_posts)])
    assert edges(posts) == []


@settings(deadline=None)
@given(st.text(max_size=80))
def test_property_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


# Words and hashes (sna.shingles) --------------------------------------------

MESSY = [
    "Don't PANIC!\n(really)",
    "ÜBER allen Gipfeln ist Ruh' — İstanbul, ΣΟΦΙΑ, straße",
    "snake_case and CamelCase, x\u00a0y\u00adz, 3.14, ½, ٣ and 四",
    "e\u0301t\u00e9 \u200dzwj\u200c  naïve café—“quotes”\r\nnext line",
    "emoji 🙂 ok",
    "",
    None,
    "word",
    "ending with a word",
    "starting a word",
]


def polars_words(text):
    """Words as the regular expression finds them: what the byte-level tokenizer must agree with."""
    return pl.Series([text], dtype=pl.String).str.to_lowercase().str.extract_all(TOKEN_PATTERN)[0].to_list()


def test_normalize_agrees_with_the_regular_expression():
    for text in MESSY:
        assert normalize(text or "") == " ".join(polars_words(text or ""))
    assert normalized(pl.Series(MESSY)).to_list() == [normalize(t or "") for t in MESSY]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_property_tokenizer_agrees_with_the_regular_expression(texts):
    assert normalized(pl.Series(texts, dtype=pl.String)).to_list() == [" ".join(polars_words(t)) for t in texts]
    tokens = tokenize(pl.Series(texts, dtype=pl.String))
    assert np.diff(tokens.text_words).tolist() == [len(polars_words(t)) for t in texts]
    lines = [line for t in texts for line in t.split("\n")]
    assert np.diff(tokens.line_words).tolist() == [len(polars_words(line)) for line in lines]


def test_equal_words_get_equal_hashes_and_different_words_different_ones():
    words = [
        "a",
        "ab",
        "abcdefgh",
        "abcdefghi",
        "abcdefghj",
        "abcdefghijklmnopq",
        "abcdefghijklmnopr",
        "école",
        "ÉCOLE",
    ]
    tokens = tokenize(pl.Series([" ".join(words), " ".join(w.upper() for w in words)]))
    first, second = np.split(tokens.hashes, [len(words)])
    assert (first == second).all()
    assert len(set(first[:-1].tolist())) == len(words) - 1  # école and ÉCOLE are one word
    assert first[-1] == first[-2]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=60), st.data())
def test_property_sequence_keys_equal_run_keys(values, data):
    hashes = np.array(values, dtype=np.uint64)
    first = data.draw(st.integers(0, len(values) - 1))
    count = data.draw(st.integers(1, len(values) - first))
    key = sequence_keys(hashes, np.array([first]), np.array([count]))[0]
    assert key == run_keys(hashes[first : first + count], count)[0]


def test_words_never_run_across_texts():
    tokens = tokenize(pl.Series(["ab", "cd", "abcd"]))
    assert tokens.text_words.tolist() == [0, 1, 2, 3]
    assert len(set(tokens.hashes.tolist())) == 3


def test_stock_phrases_match_as_words():
    # Lines are compared as words, so a phrase written with punctuation adds nothing.
    assert {normalize(phrase) for phrase in STOCK_PHRASES} == {p for p in STOCK_PHRASES if normalize(p) == p}


# Batches, threads and the vectorised block rule ------------------------------


def forum(seed, n_threads=12):
    rng = random.Random(seed)
    frames = []
    for t in range(n_threads):
        texts = []
        for _ in range(rng.randint(1, 8)):
            text = "\n\n".join(" ".join(sentence(rng) for _ in range(rng.randint(1, 3))) for _ in range(2))
            if texts and rng.random() < 0.6:
                source = rng.choice(texts).split("\n\n")
                text = f"{rng.choice(source)}\n\n{text}"
            texts.append(text)
        frames.append(thread(*texts, thread_id=f"t{t}"))
    return pl.concat(frames).with_columns(post_id=pl.format("{}-{}", "thread_id", "position"))


def test_results_do_not_depend_on_batches_or_workers(monkeypatch):
    posts = forum(7)
    default = find_pasted_quotes(posts)
    asked = default.blocks.select("source", pl.lit(None, pl.String).alias("target_author"), "quoted_text")
    asked = asked.with_columns(pl.col("quoted_text").str.slice(0, 12))  # some shorter than a shingle
    located = locate_quoted_posts(posts, asked)
    assert default.blocks.height > 5 and located.null_count() < asked.height
    for batch_bytes, workers in [(1, 1), (1, 2), (3000, 3)]:
        monkeypatch.setattr(quotes, "BATCH_BYTES", batch_bytes)
        monkeypatch.setattr(quotes, "MAX_WORKERS", workers)
        found = find_pasted_quotes(posts)
        assert found.blocks.equals(default.blocks)
        assert found.text.equals(default.text)
        assert locate_quoted_posts(posts, asked).equals(located)


def test_same_input_gives_identical_output():
    posts = forum(3).sample(fraction=1.0, shuffle=True, seed=1)
    first, second = find_pasted_quotes(posts), find_pasted_quotes(posts)
    assert first.blocks.equals(second.blocks) and first.text.equals(second.text)


def test_quote_with_characters_outside_ascii_is_cut_out_by_line():
    germ = "Über allen Gipfeln ist Ruh, in allen Wipfeln spürest du kaum einen Hauch."
    posts = thread(
        germ,
        "Vorweg:\r\n\r\nÜBER ALLEN GIPFELN ist Ruh — in allen Wipfeln spürest du kaum einen Hauch\n“Schön” gesagt.",
    )
    found = find_pasted_quotes(posts)
    assert found.blocks.select("source", "target", "first_line", "last_line").rows() == [("p2", "p1", 2, 2)]
    assert found.text.to_list() == [germ, "Vorweg:\r\n\r\n“Schön” gesagt."]


def greedy_blocks(line_post, line_words, pairs, min_words):
    """The block rule one line at a time, as the implementation before vectorisation applied it."""
    has_words = [w > 0 for w in line_words]
    rank = [sum(has_words[j] for j in range(i + 1) if line_post[j] == line_post[i]) for i in range(len(line_words))]
    cands: dict[int, set[int]] = {}
    for lid, cand in pairs:
        cands.setdefault(lid, set()).add(cand)
    out, lids = [], sorted(cands)
    for post in sorted({line_post[lid] for lid in lids}):
        blocks = []  # [first, last, last rank, candidates, words]
        for lid in (lid for lid in lids if line_post[lid] == post):
            cs = cands[lid]
            if blocks and rank[lid] == blocks[-1][2] + 1 and blocks[-1][3] & cs:
                block = blocks[-1]
                block[1], block[2], block[3], block[4] = lid, rank[lid], block[3] & cs, block[4] + line_words[lid]
            else:
                blocks.append([lid, lid, rank[lid], cs, line_words[lid]])
        blocks = [b for b in blocks if b[4] >= min_words]
        anchored = {min(b[3]) for b in blocks if len(b[3]) == 1}
        for first, last, _, cs, n_words in blocks:
            preferred = cs & anchored
            out.append((post, min(preferred) if preferred else min(cs), first, last, n_words))
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 5), st.sets(st.integers(0, 4))), min_size=1, max_size=10), max_size=5),
    st.integers(1, 8),
)
def test_property_vectorised_blocks_follow_the_greedy_rule(posts, min_words):
    line_post = [p for p, lines in enumerate(posts) for _ in lines]
    line_words = [w for lines in posts for w, _ in lines]
    pairs = sorted((i, c) for i, (w, cs) in enumerate(line for lines in posts for line in lines) if w for c in cs)
    tokens = Tokens(
        hashes=np.zeros(sum(line_words), dtype=np.uint64),
        text_words=np.zeros(len(posts) + 1, dtype=np.int64),  # unused
        text_lines=np.zeros(len(posts) + 1, dtype=np.int64),  # unused
        line_words=np.concatenate(([0], np.cumsum(line_words, dtype=np.int64))),
    )
    lid = np.array([p[0] for p in pairs], dtype=np.int64)
    cand = np.array([p[1] for p in pairs], dtype=np.int64)
    got = quotes._assemble_blocks(tokens, np.array(line_post, dtype=np.int64), lid, cand, min_words)
    assert list(zip(*(column.tolist() for column in got), strict=True)) == greedy_blocks(
        line_post, line_words, pairs, min_words
    )


def _located_by_definition(posts, quotes, k=5, coverage=0.9):
    """locate_quoted_posts' rule, one quote and one candidate at a time (the reference)."""
    order = posts.sort("thread_id", "position")
    rows = order.select("thread_id", "post_id", "author", "text").rows()
    words = [tokenize(pl.Series([text])).hashes for *_, text in rows]
    plain = [f" {t} " for t in normalized(order["text"]).to_list()]
    where = {post_id: i for i, (_, post_id, _, _) in enumerate(rows)}
    found = []
    for source, author, quoted in quotes.select("source", "target_author", "quoted_text").rows():
        asked = tokenize(pl.Series([quoted])).hashes
        hit = None
        for cand in range(where[source]):
            thread_id, post_id, cand_author, _ = rows[cand]
            if thread_id != rows[where[source]][0] or (author is not None and cand_author != author):
                continue
            if 0 < len(asked) < k:
                ok = f" {normalized(pl.Series([quoted]))[0]} " in plain[cand]
            elif len(asked):
                runs = set(run_keys(words[cand], k).tolist())
                mask = np.zeros(len(asked), dtype=bool)
                for j, key in enumerate(run_keys(asked, k).tolist()):
                    if key in runs:
                        mask[j : j + k] = True
                ok = mask.sum() >= coverage * len(asked)
            else:
                ok = False
            if ok:
                hit = post_id
                break
        found.append(hit)
    return found


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9))
def test_property_locate_agrees_with_its_definition(seed):
    rng = random.Random(seed)
    posts = forum(seed, n_threads=4)
    posts = posts.with_columns(author=pl.Series([rng.choice(["ann", "bo", None]) for _ in range(posts.height)]))
    ids, texts = posts["post_id"].to_list(), posts["text"].to_list()
    asked = []
    for _ in range(12):
        i = rng.randrange(len(ids))
        words = texts[rng.randrange(len(ids))].split()
        start = rng.randrange(len(words))
        piece = " ".join(words[start : start + rng.choice([2, 4, 6, 12, 30])])
        if rng.random() < 0.3:  # a changed word: coverage decides
            piece = piece.replace(rng.choice(piece.split()), "zebra", 1)
        asked.append((ids[i], rng.choice(["ann", "bo", None]), piece))
    quotes = pl.DataFrame(asked, schema=["source", "target_author", "quoted_text"], orient="row")
    assert locate_quoted_posts(posts, quotes).to_list() == _located_by_definition(posts, quotes)


@settings(deadline=None, max_examples=150)
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=12),
    st.integers(0, 4),
    st.integers(1, 4),
    st.data(),
)
def test_property_text_bytes_and_back_match_python(texts, skip, n_chunks, data):
    for arrow_texts in (0, 10**9):  # through Arrow buffers, and without
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(shingles, "ARROW_TEXTS", arrow_texts)
            _check_text_bytes(texts, skip, n_chunks, data)


def _check_text_bytes(texts, skip, n_chunks, data):
    # Sliced and many-chunked Series too.
    series = pl.Series(["x"] * skip + texts, dtype=pl.String).slice(skip)
    chunks = np.array_split(np.arange(len(series)), n_chunks)
    series = pl.concat([series.gather(c) for c in chunks], rechunk=False) if len(series) else series
    buf, offsets = text_bytes(series)
    encoded = [(t or "").encode() for t in texts]
    assert bytes(buf) == b"".join(encoded) + b" " * 8
    assert offsets.tolist() == np.concatenate(([0], np.cumsum([len(e) for e in encoded]))).astype(int).tolist()
    assert not buf.flags.writeable
    assert bytes_to_texts(buf, offsets).to_list() == [t or "" for t in texts]
    # Bytes that start inside the buffer, at a text boundary.
    if texts:
        i = data.draw(st.integers(0, len(texts) - 1))
        cut = bytes_to_texts(buf[offsets[i] :], offsets[i:] - offsets[i])
        assert cut.to_list() == [t or "" for t in texts[i:]]


_WORDS = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), _WORDS), max_size=12), st.integers(1, 3))
def test_repeated_runs_are_the_runs_found_twice_in_a_group(texts, k):
    texts = sorted(texts, key=lambda t: t[0])
    group = np.array([g for g, _ in texts], dtype=np.int64)
    tokens = tokenize(pl.Series([t for _, t in texts], dtype=pl.String))
    keys = run_keys(tokens.hashes, k)
    seen: dict[tuple[int, int], list[int]] = {}
    for i in range(len(group)):
        for start in range(tokens.text_words[i], tokens.text_words[i + 1] - k + 1):
            seen.setdefault((int(group[i]), int(keys[start])), []).append(start)
    expected = sorted(s for starts in seen.values() if len(starts) > 1 for s in starts)
    start, text, new = shingles.repeated_runs(tokens, group, k)
    assert sorted(start.tolist()) == expected
    assert (tokens.text_words[text] <= start).all() and (start + k <= tokens.text_words[text + 1]).all()
    # Each set of equal runs is one block, in word order, opened by ``new``.
    sets = np.cumsum(new)
    assert len(set(zip(sets.tolist(), keys[start].tolist(), group[text].tolist(), strict=True))) == (
        int(sets[-1]) if len(sets) else 0
    )
    assert all((np.diff(start[sets == s]) > 0).all() for s in set(sets.tolist()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), _WORDS), min_size=1, max_size=10), _WORDS, st.integers(0, 2))
def test_a_run_index_of_the_wanted_runs_finds_what_the_full_index_finds(texts, asked, group):
    tokens = tokenize(pl.Series([t for _, t in texts], dtype=pl.String))
    groups = np.array([g for g, _ in texts], dtype=np.int64)
    keys = run_keys(tokenize(pl.Series([asked])).hashes, 2)
    where = np.full(len(keys), group, dtype=np.int64)
    full = shingles.RunIndex(tokens, groups, 2).matches(keys, where)
    wanted = shingles.RunIndex(tokens, groups, 2, wanted=(keys, where)).matches(keys, where)

    def pairs(found):
        return sorted(zip(*(a.tolist() for a in found), strict=True))

    assert pairs(wanted) == pairs(full)
