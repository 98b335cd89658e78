"""Merging pages of one thread from several files."""

import datetime as dt

import polars as pl

from sna.io.base import Parsed, finish_posts
from sna.io.merge import merge_pages


def part(ids, times, positions):
    df = pl.DataFrame(
        {
            "thread_id": "t3_x",
            "post_id": ids,
            "position": positions,
            "created_at": [dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=m) for m in times],
            "text": ids,
        }
    )
    return Parsed(finish_posts(df, default_thread="x"), recover=False, pages=True)


def test_base36_ids_are_ordered_by_time_not_by_their_last_digits():
    # "t1_a9" would sort after "t1_b1" by trailing digits (9 > 1); by time it comes first.
    posts, _ = merge_pages(
        [part(["t1_b1", "t1_c5"], [2, 3], [1, 2]), part(["t1_a9", "t1_b1"], [1, 2], [1, 2])], ["a", "b"]
    )
    assert posts["post_id"].to_list() == ["t1_a9", "t1_b1", "t1_c5"]
    assert posts["position"].to_list() == [1, 2, 3]
