"""A second yardstick for quote recovery: threads of other forums, copied as plain text.

The saved XenForo / phpBB / vBulletin / NodeBB pages (``nettally-html``), the
forumscraper thread JSON (``forumscraper-examples``: XenForo 1 and 2, phpBB,
SMF, vBulletin, Invision, XMB) and the Discourse topics
(``discourse-criticalfallibilism``) mark their quotes, and the markup says
which post each quote comes from. Each thread is rendered the way a reader
would paste it from the browser into a text file, in the shape of the sample
thread (``data/raw/pakistan-ussr-thread.txt``, read by
:mod:`sna.io.text_page`): a header with the title and the first poster, then
the posts' bodies separated by no-break-space lines. Quote blocks keep their
words (nested quotes too, where the forum keeps them) but lose their headers
("X said:", "Quote from: X on …") and the "Click to expand..." links, so they
are pasted unmarked. What the page shows under a post and the sources record
is added as noise: signatures, attachment lines, edit notes. Attachment
markers inside bodies ("View attachment 123", "Zobacz załącznik 1041937")
are the posts' own.

The truth, per quote block of the markup:

* a quoted post id on the page (and earlier in the thread): the edge;
* a quoted post id not on the page: no edge (the quoting post is still
  judged: its pasted words must not be pinned on another post); the same
  when the quoted post does not show the quoted words (a Discourse topic's
  first post embeds the blog article it discusses, which its text lacks);
* no id but a quoted name (phpBB "X wrote:"): the earliest earlier post of
  that author whose own words contain the quote's words; when none does, or
  when neither id nor name is given, the quoting post is left out of the
  scores (its answer is not known);
* a Discourse post with a bare ``<blockquote>`` (quoting a web page, or
  pasting without saying whose words) is left out as well;
* posts with Usenet-style ``>`` lines (a forum bridged from a newsgroup) or
  quote headers written as text ("Quote:", "Originally posted by X" of an
  imported old forum) are left out too: those quotes are not in the markup.

Quotes with no words (an image, a link preview) are ignored.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
import polars as pl

from sna.io.discourse import parse_discourse
from sna.io.discourse import post_key as discourse_key
from sna.io.forumscraper import ENGINE_MARKUP, parse_forumscraper
from sna.io.helpers.forum_pages import detect_engine, site_of
from sna.io.helpers.forum_posts import post_key
from sna.io.helpers.forum_quotes import QUOTE_FINDERS, is_chrome
from sna.io.helpers.html_text import element_text, html_to_text, parse_html
from sna.io.html_pages import decode_html, parse_html_page
from sna.io.merge import merge_pages
from sna.quotes import normalize

#: Saved pages of nettally-html that carry quote markup.
NETTALLY_PAGES = ("RenascenceSV.html", "phpBB.html", "vBulletin3.html", "vBulletin4.html", "vBulletin5.html",
                  "NodeBB.html")  # fmt: skip


_USENET = re.compile(r"^[ \t]*>", re.MULTILINE)
#: Quote headers written as text (an old forum imported into a new one): the markup does not mark those quotes.
_TEXT_HEADER = re.compile(
    r"^[ \t]*(?:(?:quote|цитата|cytat)[ \t]*:[ \t]*$|originally posted by )", re.IGNORECASE | re.MULTILINE
)


@dataclass
class Thread:
    """One thread as pasted text, with the truth its markup tells.

    Attributes
    ----------
    name : str
        Where it came from (``forumscraper-examples/xenforo-2/60974``).
    engine : str
        Forum software.
    title : str or None
    post_ids, authors, texts : lists
        Per post in thread order: the source's id, the poster, and the text a
        copy of the page shows (noise included).
    truth : set of (str, str)
        (quoting post, quoted post) pairs.
    unjudged : set of str
        Posts whose quotes cannot be resolved from the markup.
    noise : dict
        Lines of noise added, by kind.
    absent : int
        Quotes of a post on the page whose words that post does not show.
    """

    name: str
    engine: str
    title: str | None
    post_ids: list[str] = field(default_factory=list)
    authors: list[str | None] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    truth: set[tuple[str, str]] = field(default_factory=set)
    unjudged: set[str] = field(default_factory=set)
    noise: dict[str, int] = field(default_factory=dict)
    absent: int = 0


def pasted_text(body: Any, markup: str) -> str:
    """A post body as a copy of the page shows it, with quote headers and expand links dropped.

    Examples
    --------
    >>> body = parse_html('<div><blockquote><cite>Ann wrote:</cite>Cats rule.</blockquote>No.</div>')
    >>> pasted_text(body, "phpbb")
    'Cats rule.\\n\\nNo.'
    """
    cites = [el for block in QUOTE_FINDERS[markup](body) for el in block.cite]  # kept alive: lxml ids are reused
    return element_text(body, skip=lambda el: any(el is cite for cite in cites) or is_chrome(el))


def _truth(thread: Thread, posts: pl.DataFrame, quotes: pl.DataFrame) -> None:
    """Fill ``truth`` and ``unjudged`` from the reader's posts and marked quotes."""
    position = dict(zip(posts["post_id"], posts["position"], strict=True))
    shown = {pid: normalize(raw or "") for pid, raw in posts.select("post_id", "raw_text").iter_rows()}
    by_author: dict[str, list[tuple[int, str, str]]] = {}
    for pid, author, own in posts.select("post_id", "author", "text").iter_rows():
        by_author.setdefault(author, []).append((position[pid], pid, f" {normalize(own or '')} "))
    for source, target, author, words in quotes.select("source", "target", "target_author", "quoted_text").rows():
        needle = normalize(words or "")
        if source not in position or not needle:
            continue
        if target is not None:
            if target in position and position[target] < position[source]:
                if _holds(shown[target], needle):
                    thread.truth.add((source, target))
                else:
                    thread.absent += 1
            continue
        found = [
            pid
            for at, pid, own in sorted(by_author.get(author, []) if author else [])
            if at < position[source] and f" {needle} " in own
        ]
        if found:
            thread.truth.add((source, found[0]))
        else:
            thread.unjudged.add(source)


def _holds(text: str, words: str) -> bool:
    """Whether most of a quote's runs of three words are in a text (both normalised).

    >>> _holds("a b c d e", "b c d x"), _holds("a b c", "x y z w")
    (True, False)
    """
    tokens = words.split()
    runs = {" ".join(tokens[i : i + 3]) for i in range(max(1, len(tokens) - 2))}
    padded = f" {text} "
    return sum(f" {run} " in padded for run in runs) >= 0.5 * len(runs)


def _noise_line(kind: str, html: str | None, thread: Thread) -> str:
    text = html_to_text(html) if html else ""
    if text:
        thread.noise[kind] = thread.noise.get(kind, 0) + 1
    return text


def _attachments(value: Any) -> str | None:
    """Attachment lines as the page lists them under the post (HTML)."""
    items = []
    for item in value or []:
        if isinstance(item, dict) and item.get("name"):
            size = f"{item['size']}, " if item.get("size") else ""
            seen = item.get("viewed", item.get("views"))
            items.append(f"<div>{item['name']} ({size}{seen} views)</div>" if seen is not None else item["name"])
        elif isinstance(item, str) and item.lstrip().startswith("<"):
            items.append(f"<span>{item}</span>")
    return "".join(items) or None


def _edit_note(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("user"):
        return f"Last edited by {value['user']}; {value.get('date') or ''}"
    return None


def _with_noise(body: str, extra: list[str]) -> str:
    return "\n\n".join(part for part in [body, *extra] if part)


def forumscraper_threads(root: Path) -> Iterator[Thread]:
    """Threads of ``forumscraper-examples`` with quote markup (Stack Exchange has none)."""
    for path in sorted(p for p in root.glob("*/*") if p.is_file() and not p.parent.name.startswith("stack")):
        data = json.loads(path.read_text(encoding="utf-8"))
        engine = str(data["format_version"]).split("-", 1)[0]
        markup = ENGINE_MARKUP[engine]
        parsed = parse_forumscraper(data, source=path.name)
        site = site_of(str(data.get("url") or "")) or engine
        thread = Thread(f"{root.name}/{path.parent.name}/{path.name}", engine, data.get("title"))
        seen = set()
        for post in data["posts"]:
            pid = post_key(site, str(post.get("id", post.get("postid"))))
            if pid in seen:
                continue
            seen.add(pid)
            body = next(post[k] for k in ("text", "content", "body") if isinstance(post.get(k), str))
            extra = [
                _noise_line("attachment", _attachments(post.get("attachments")), thread),
                _noise_line("edit note", _edit_note(post.get("edited")), thread),
                _noise_line("signature", post.get("signature"), thread),
            ]
            user = post.get("user")
            thread.post_ids.append(pid)
            thread.authors.append((user.get("name") if isinstance(user, dict) else user) or None)
            thread.texts.append(_with_noise(pasted_text(parse_html(body), markup), extra))
        _order_like(thread, parsed.posts)
        _truth(thread, parsed.posts, parsed.quotes)
        yield thread


def _order_like(thread: Thread, posts: pl.DataFrame) -> None:
    """Put the thread's posts in the reader's order (by position)."""
    index = {pid: i for i, pid in enumerate(thread.post_ids)}
    order = [index[pid] for pid in posts.sort("position")["post_id"]]
    thread.post_ids = [thread.post_ids[i] for i in order]
    thread.authors = [thread.authors[i] for i in order]
    thread.texts = [thread.texts[i] for i in order]


def nettally_threads(root: Path) -> Iterator[Thread]:
    """The saved pages of ``nettally-html`` that carry quote markup."""
    for name in NETTALLY_PAGES:
        html = decode_html((root / name).read_bytes())
        parsed = parse_html_page(html, source=name)
        page_root = lxml.html.document_fromstring(html)
        engine = detect_engine(page_root)
        assert engine is not None, name
        page = engine.extract(page_root)
        site = page.site or page.engine
        thread = Thread(f"{root.name}/{name}", page.engine, page.title)
        seen = set()
        for post in page.posts:
            pid = post_key(site, post.post_id)
            if pid not in seen:
                seen.add(pid)
                thread.post_ids.append(pid)
                thread.authors.append(post.author)
                thread.texts.append(pasted_text(post.body, page.markup))
        _order_like(thread, parsed.posts)
        _truth(thread, parsed.posts, parsed.quotes)
        yield thread


def discourse_threads(root: Path) -> Iterator[Thread]:
    """The topics of ``discourse-criticalfallibilism``, pages merged."""
    paths = sorted(root.glob("*.json"))
    parts = [parse_discourse(path.read_text(encoding="utf-8"), source=path.stem) for path in paths]
    posts, quotes = merge_pages(parts, [p.name for p in paths])
    cooked: dict[str, str] = {}
    site = posts["post_id"][0].split("/t/")[0]
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        stream = data.get("latest_posts") or (data.get("post_stream") or {}).get("posts") or []
        for post in stream:
            cooked.setdefault(discourse_key(site, post["topic_id"], post["post_number"]), post.get("cooked") or "")
    for (tid,), group in posts.group_by("thread_id", maintain_order=True):
        group = group.sort("position")
        thread = Thread(f"{root.name}/{tid.rsplit('/', 1)[-1]}", "discourse", group["title"][0])
        thread.post_ids = group["post_id"].to_list()
        thread.authors = group["author"].to_list()
        bodies = [parse_html(cooked[pid]) for pid in thread.post_ids]
        thread.texts = [pasted_text(body, "discourse") for body in bodies]
        _truth(thread, group, quotes.filter(pl.col("source").is_in(group["post_id"].implode())))
        # A bare <blockquote> quotes something without saying what (a blog post, another site).
        bare = "//blockquote[not(ancestor::aside[contains(concat(' ', @class, ' '), ' quote ')])]"
        thread.unjudged |= {pid for pid, body in zip(thread.post_ids, bodies, strict=True) if body.xpath(bare)}
        yield thread


def load_threads(data: Path) -> list[Thread]:
    """Every yardstick thread from the data folder, with at least two posts."""
    threads = [
        *nettally_threads(data / "nettally-html"),
        *forumscraper_threads(data / "forumscraper-examples"),
        *discourse_threads(data / "discourse-criticalfallibilism"),
    ]
    for thread in threads:
        _drop_empty(thread)
    return [t for t in threads if len(t.post_ids) >= 2]


def _drop_empty(thread: Thread) -> None:
    """Leave out posts that show no text (an image only): a text copy has nothing of them."""
    keep = [i for i, text in enumerate(thread.texts) if text.strip()]
    gone = {pid for i, pid in enumerate(thread.post_ids) if i not in set(keep)}
    thread.post_ids = [thread.post_ids[i] for i in keep]
    thread.authors = [thread.authors[i] for i in keep]
    thread.texts = [thread.texts[i] for i in keep]
    thread.truth = {(s, t) for s, t in thread.truth if s not in gone and t not in gone}
    # Usenet-style quotes (">" lines, as forums bridged from newsgroups show them) are not in the markup.
    thread.unjudged |= {
        pid
        for pid, text in zip(thread.post_ids, thread.texts, strict=True)
        if _USENET.search(text) or _TEXT_HEADER.search(text)
    }


def cut(thread: Thread, first: int, last: int) -> Thread:
    """The thread's posts ``first`` to ``last`` (1-based, inclusive), with the truth among them."""
    keep = thread.post_ids[first - 1 : last]
    return dataclasses.replace(
        thread,
        post_ids=keep,
        authors=thread.authors[first - 1 : last],
        texts=thread.texts[first - 1 : last],
        truth={(s, t) for s, t in thread.truth if s in keep and t in keep},
        unjudged={pid for pid in thread.unjudged if pid in keep},
    )


def file_name(thread: Thread) -> str:
    """A file name for the thread's text page."""
    return re.sub(r"[^A-Za-z0-9]+", "-", thread.name).strip("-")


def text_page(thread: Thread) -> str:
    """The thread as a plain-text copy of its page, in the sample thread's shape.

    The first post carries the header (navigation, title, poster, a counter);
    posts are separated by lines holding a no-break space.
    """
    first_author = thread.authors[0] or "Guest"
    messages = sum(1 for a in thread.authors if a == thread.authors[0])
    header = f"What's new\n\n{thread.title or thread.name}\n\n{first_author}\n\nMember\nMessages\n{messages}\n"
    return header + "\n\u00a0\n".join(thread.texts) + "\n"


def table(threads: list[Thread]) -> pl.DataFrame:
    """The threads as one table of plain-text posts (thread, position, author, text; no ids)."""
    return pl.DataFrame(
        [
            (file_name(t), i, author, text)
            for t in threads
            for i, (author, text) in enumerate(zip(t.authors, t.texts, strict=True), 1)
        ],
        schema=["thread_id", "position", "author", "text"],
        orient="row",
    )
