"""Helpers shared by tests."""

from pathlib import Path

import polars as pl

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed-pakistan-ussr-thread.txt"


def thread(*texts: str, authors: list[str | None] | None = None, thread_id: str = "t") -> pl.DataFrame:
    """A tiny POSTS table: one thread, posts p1, p2, … in order."""
    from sna.schema import POSTS_SCHEMA, conform

    n = len(texts)
    return conform(
        pl.DataFrame(
            {
                "thread_id": [thread_id] * n,
                "post_id": [f"p{i}" for i in range(1, n + 1)],
                "position": list(range(1, n + 1)),
                "author": authors or [f"user{i}" for i in range(1, n + 1)],
                "text": list(texts),
                "raw_text": list(texts),
            }
        ),
        POSTS_SCHEMA,
    )
