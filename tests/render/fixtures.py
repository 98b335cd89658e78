"""Small corpora for render tests: a labelled forum with camps and times, and XSS payloads."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, conform

XSS_AUTHOR = "<script>alert(1)</script>"
XSS_TEXT = "<img src=x onerror=alert(1)> and </script><script>alert(2)</script>"


def labelled_forum(
    n_posts: int = 90,
    *,
    n_threads: int = 3,
    n_authors: int = 15,
    seed: int = 3,
    times: bool = True,
    stance: bool = True,
    xss: bool = False,
    assumed_every: int = 0,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """POSTS and EDGES of a forum with three planted camps of authors.

    Each post after a thread's first replies to (or quotes) an earlier post of
    its thread, mostly a recent one. Replies between authors of the same
    group are labelled agree (85%), across groups disagree (85%); the rest
    neutral. With ``xss`` two authors and some texts carry script payloads.
    With ``assumed_every=k``, every k-th post quotes nothing: an assumed
    (implicit, unlabelled) link to its thread's first post.
    """
    rng = np.random.default_rng(seed)
    names = [f"user{i:02d}" for i in range(n_authors)]
    if xss:
        names[1] = XSS_AUTHOR
        names[2] = "<img src=x onerror=alert(1)>"
    group = np.arange(n_authors) % 3
    thread = np.sort(rng.integers(0, n_threads, n_posts))
    thread[:n_threads] = np.arange(n_threads)
    thread = np.sort(thread)
    author = rng.integers(0, n_authors, n_posts)
    start = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)
    rows, edges = [], []
    position: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for i in range(n_posts):
        t = int(thread[i])
        position[t] = position.get(t, 0) + 1
        pid = f"thread{t}#{position[t]}"
        earlier = members.setdefault(t, [])
        text = f"Post {position[t]} of thread {t} by {names[author[i]]}: some words about the topic."
        if xss and i % 7 == 3:
            text = f"{XSS_TEXT} {text}"
        rows.append({
            "thread_id": f"thread{t}", "post_id": pid, "position": position[t], "author": names[author[i]],
            "created_at": start + dt.timedelta(hours=int(i * 5 + rng.integers(0, 4))) if times else None,
            "title": f"Thread {t}: a question", "text": text, "raw_text": text,
        })  # fmt: skip
        if earlier and assumed_every and i % assumed_every == 0:
            first = earlier[0]
            edges.append({
                "source": pid, "target": rows[first]["post_id"], "source_author": names[author[i]],
                "target_author": names[author[first]], "kind": "implicit", "quoted_text": None, "stance": None,
                "stance_score": None, "created_at": rows[i]["created_at"],
            })  # fmt: skip
        elif earlier:
            recent = earlier[-6:]
            j = int(recent[rng.integers(0, len(recent))]) if rng.random() < 0.8 else int(rng.choice(earlier))
            same = group[author[i]] == group[author[j]]
            u = rng.random()
            label = ("agree" if same else "disagree") if u < 0.85 else ("neutral" if u < 0.95 else
                     ("disagree" if same else "agree"))  # fmt: skip
            edges.append({
                "source": pid, "target": rows[j]["post_id"], "source_author": names[author[i]],
                "target_author": names[author[j]], "kind": "quote" if rng.random() < 0.5 else "reply",
                "quoted_text": None, "stance": label if stance else None,
                "stance_score": {"agree": 0.8, "neutral": 0.0, "disagree": -0.8}[label] if stance else None,
                "created_at": rows[i]["created_at"],
            })  # fmt: skip
        earlier.append(i)
    posts = conform(pl.DataFrame(rows, schema_overrides={"created_at": POSTS_SCHEMA["created_at"]}), POSTS_SCHEMA)
    edge_table = conform(pl.DataFrame(edges, schema_overrides=EDGES_SCHEMA), EDGES_SCHEMA)
    return posts, edge_table
