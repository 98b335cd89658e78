"""Readers: one module per source format, each emitting POSTS (see :class:`Parsed`).

Layout: the reader modules (``text_page``, ``tables``, ``html_pages``,
``forumscraper``, ``discourse``, ``reddit``, ``convokit``, ``stackexchange``,
``iac``); :mod:`sna.io.base`, the contract they follow (a pure
``parse_x(data, *, source)`` and a thin ``read_x(path)``); :mod:`sna.io.merge`,
merging pages of one thread read from several files; and
:mod:`sna.io.helpers`, the pieces readers share (streams and limits, the error
boundary, dates, HTML, quote markup, forum engines).

A format is detected from the file's extension and content; ``format=`` forces
one. Adding a format means adding one module with a pure ``parse_x`` and a thin
``read_x`` (decorated with :func:`~sna.io.helpers.boundary.reading`), and one
:class:`Format` entry in :data:`FORMATS`. :func:`read_input` is the reader
boundary: whatever the input, it returns a :class:`Parsed` or raises one
:class:`~sna.errors.InputError` line naming the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sna.errors import InputError, SnaError
from sna.io.base import MARKED_SCHEMA, Parsed, empty_marked, finish_posts, thread_id_from_path
from sna.io.convokit import looks_like_convokit, read_convokit
from sna.io.discourse import looks_like_discourse, read_discourse
from sna.io.forumscraper import looks_like_forumscraper, read_forumscraper
from sna.io.helpers.boundary import input_boundary
from sna.io.helpers.encodings import encoding_or_default
from sna.io.helpers.streams import head_bytes
from sna.io.html_pages import looks_like_html_page, read_html_page
from sna.io.iac import looks_like_iac, read_iac
from sna.io.reddit import looks_like_reddit, looks_like_reddit_lines, read_reddit
from sna.io.stackexchange import looks_like_stackexchange, read_stackexchange
from sna.io.tables import parse_mapping, read_table
from sna.io.text_page import parse_text_page, read_text_page

__all__ = [
    "FORMATS",
    "MARKED_SCHEMA",
    "Format",
    "Parsed",
    "ReadOptions",
    "detect_format",
    "empty_marked",
    "expand_inputs",
    "finish_posts",
    "parse_mapping",
    "parse_text_page",
    "read_input",
    "thread_id_from_path",
]


@dataclass(frozen=True)
class ReadOptions:
    """Options a reader may use.

    Attributes
    ----------
    mapping : dict
        Canonical POSTS column name to the source's column name (tables).
    encoding : str, optional
        Text encoding of CSV, TSV and JSON Lines tables and plain-text pages
        (e.g. ``cp1252``); UTF-8 unless given.
    """

    mapping: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.encoding is not None:  # an unknown encoding is an error before any file is read
            encoding_or_default(self.encoding)


@dataclass(frozen=True)
class Format:
    """A readable input format.

    Attributes
    ----------
    name : str
        What ``--format`` takes.
    description : str
        One line for ``sna formats`` and error messages.
    extensions : tuple of str
        Lower-case suffixes that select this format outright.
    sniff : callable
        ``sniff(path, head)`` is true when the first 64 KiB of text look like
        this format (used for unknown extensions and shared ones like .json).
        For a folder (formats in :data:`FOLDER_FORMATS` only), ``head`` is "".
    read : callable
        ``read(path, options)`` returns a :class:`Parsed`.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    sniff: Callable[[Path, str], bool]
    read: Callable[[Path, ReadOptions], Parsed]


def _looks_like_text_page(path: Path, head: str) -> bool:
    return "\n\u00a0\n" in head.replace("\r\n", "\n") or head.lstrip("\ufeff").startswith("What's new")


def _looks_like_csv(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").split("\n", 1)[0].lower()
    return "," in first and "text" in first


def _looks_like_tsv(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").split("\n", 1)[0].lower()
    return "\t" in first and "text" in first


def _looks_like_jsonl(path: Path, head: str) -> bool:
    # The first line decides (a bad later line is the reader's to report); one
    # longer than the head is given the benefit of the doubt.
    text = head.lstrip("\ufeff").lstrip()
    first = text.split("\n", 1)[0].rstrip()
    return first.startswith("{") and (first.endswith("}") or "\n" not in text) and not looks_like_reddit_lines(text)


def _table_reader(fmt: str) -> Callable[[Path, ReadOptions], Parsed]:
    return lambda path, options: read_table(path, format=fmt, mapping=options.mapping, encoding=options.encoding)


_ARCHIVES = (".tar", ".gz", ".tgz", ".bz2", ".tbz2", ".xz", ".txz")  # tar archives, and single compressed dumps

#: Known formats, in the order in which content sniffing tries them.
FORMATS: list[Format] = [
    Format("text", "plain-text copy of a forum page (posts separated by no-break-space lines)",
           (".txt",), _looks_like_text_page, lambda path, options: read_text_page(path, encoding=options.encoding)),
    Format("parquet", "Parquet table of posts", (".parquet", ".pq"),
           lambda path, head: head.startswith("PAR1"), _table_reader("parquet")),
    Format("html", "saved forum thread page (XenForo, vBulletin, phpBB, SMF, Invision, XMB, NodeBB)",
           (".html", ".htm"), looks_like_html_page, lambda path, options: read_html_page(path)),
    Format("forumscraper", "forumscraper thread JSON (format_version '…-thread')", (".json",),
           looks_like_forumscraper, lambda path, options: read_forumscraper(path)),
    Format("discourse", "Discourse posts JSON (post_stream.posts or latest_posts)", (".json",),
           looks_like_discourse, lambda path, options: read_discourse(path)),
    Format("convokit", "ConvoKit corpus folder (utterances.jsonl, speakers.json, conversations.json)",
           (".jsonl",), looks_like_convokit, lambda path, options: read_convokit(path)),
    Format("stackexchange", "Stack Exchange dump folder or its Posts.xml (with Comments.xml, Users.xml beside it)",
           (".xml",), looks_like_stackexchange, lambda path, options: read_stackexchange(path)),
    Format("iac", "Internet Argument Corpus layout: folder or tar archive of discussions/, ranges_quotes/",
           (".json", *_ARCHIVES), looks_like_iac, lambda path, options: read_iac(path)),
    Format("reddit", "Reddit NDJSON dump (Pushshift/Arctic Shift; plain, .zst, .bz2, .xz or .gz), folder or tar of "
           "them, thread .json", (".zst", ".json", ".jsonl", ".ndjson", *_ARCHIVES), looks_like_reddit,
           lambda path, options: read_reddit(path)),
    Format("jsonl", "JSON Lines table of posts, one object per line", (".jsonl", ".ndjson"),
           _looks_like_jsonl, _table_reader("jsonl")),
    Format("tsv", "tab-separated table of posts", (".tsv", ".tab"), _looks_like_tsv, _table_reader("tsv")),
    Format("csv", "comma-separated table of posts", (".csv",), _looks_like_csv, _table_reader("csv")),
]  # fmt: skip

_SKIP_IN_DIRECTORIES = ("readme", "license", "licence", "source.md", "changelog", ".")

#: Formats whose input may be a folder read as one whole (a corpus or dump
#: laid out over several files); their ``sniff`` is given the folder and "".
FOLDER_FORMATS = ("convokit", "stackexchange", "iac", "reddit")


def _format_named(name: str) -> Format:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in FORMATS)
    raise SnaError(f"unknown format {name!r} (known: {known})")


def _head(path: Path) -> str:
    """The first 64 KiB of a file as text (decompressed if the file is compressed), for sniffing."""
    if not path.is_file():
        raise InputError("cannot read: " + ("not a regular file" if path.exists() else "no such file"), path=path)
    return head_bytes(path).decode("utf-8", errors="replace")


def detect_format(path: str | Path) -> Format | None:
    """Guess the format of a file from its extension, then its content.

    Returns None when nothing matches.

    Examples
    --------
    >>> detect_format("data/raw/pakistan-ussr-thread.txt").name
    'text'
    """
    path = Path(path)
    if path.is_dir():
        return next((f for f in FORMATS if f.name in FOLDER_FORMATS and f.sniff(path, "")), None)
    suffix = ".tar" if path.name.lower().endswith(".tar.zst") else path.suffix.lower()  # a tar, not a .zst dump
    head: str | None = None
    by_extension = [fmt for fmt in FORMATS if suffix in fmt.extensions]
    if len(by_extension) == 1:
        return by_extension[0]
    head = _head(path)
    for fmt in by_extension or FORMATS:
        if fmt.sniff(path, head):
            return fmt
    return None  # several formats share the extension and none recognises the content


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in sorted order, hidden ones left out.

    A folder that one of :data:`FOLDER_FORMATS` reads as a whole is given
    instead of its files.
    """
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            if detect_format(child) is not None:
                yield child
            else:
                yield from _walk(child)
        elif child.is_file():
            yield child


def expand_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """List the files named or found (recursively) under directories.

    A folder laid out as one input (a ConvoKit corpus, a Stack Exchange dump,
    the IAC layout, a folder of Reddit dumps; see :data:`FOLDER_FORMATS`) is
    listed as one input, whether given or found inside another.

    Returns
    -------
    files : list of Path
        Readable inputs, directories' contents in sorted order.
    skipped : list of Path
        Files in directories whose format is unknown (README, SOURCE.md, …).

    Raises
    ------
    InputError
        For a path that does not exist.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    for given in paths:
        with input_boundary(given, "a readable file or folder"):  # an unreadable folder is one line too
            _expand(Path(given), files, skipped)
    return files, skipped


def _expand(path: Path, files: list[Path], skipped: list[Path]) -> None:
    """Add what one given path holds to ``files`` and ``skipped`` (see :func:`expand_inputs`)."""
    if path.is_dir() and detect_format(path) is not None:
        files.append(path)
    elif path.is_dir():
        for child in _walk(path):
            if child.is_dir():
                files.append(child)
            elif child.name.lower().startswith(_SKIP_IN_DIRECTORIES) or detect_format(child) is None:
                skipped.append(child)
            else:
                files.append(child)
    elif path.exists():
        files.append(path)
    else:
        raise InputError("no such file or directory", path=path)


def read_input(path: str | Path, *, format: str | None = None, options: ReadOptions | None = None) -> Parsed:
    """Read one input file in the given or detected format.

    Raises
    ------
    InputError
        When the format cannot be told or the file is not valid in it.
    """
    path = Path(path)
    with input_boundary(path, "a readable input (see sna formats)"):
        fmt = _format_named(format) if format else detect_format(path)
        if fmt is None:
            known = ", ".join(f.name for f in FORMATS)
            claim = [f.name for f in FORMATS if path.suffix.lower() in f.extensions]
            if claim:
                raise InputError(
                    f"content matches none of the {path.suffix.lower()} formats ({', '.join(claim)}); "
                    f"name one with --format (one of: {known})",
                    path=path,
                )
            raise InputError(f"unknown format; name it with --format (one of: {known})", path=path)
        return fmt.read(path, options or ReadOptions())
