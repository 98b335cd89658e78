"""sna: social network analysis of online forum discussions.

Read forum threads into the canonical POSTS and EDGES tables, recover who
quotes or replies to whom, and analyse the result.

Examples
--------
>>> import sna
>>> corpus = sna.load("data/raw")                 # forum files, or a folder `sna ingest` wrote
>>> corpus.posts.height, int((corpus.edges["kind"] == "quote").sum())
(32, 12)
>>> corpus.author_metrics().columns[:4]
['author', 'posts', 'self_replies', 'anonymous']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sna.analysis.report import Metrics, compute_metrics
    from sna.corpus import Corpus, load
    from sna.edges import Extracted, extract_edges
    from sna.errors import InputError, SchemaError, SnaError
    from sna.io import parse_text_page, read_input
    from sna.pipeline import Ingested, ingest, read_ingested, write_ingested
    from sna.quotes import find_pasted_quotes, locate_quoted_posts
    from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, validate_edges, validate_posts
    from sna.stance import label_edges, predict_stance

# The public API is imported on first use, so that `import sna` (and the `sna`
# command, which starts by importing this package) is instant and a Ctrl-C
# during start-up reaches the command's handler instead of an import.
_HOMES = {
    "sna.analysis.report": ("Metrics", "compute_metrics"),
    "sna.corpus": ("Corpus", "load"),
    "sna.edges": ("Extracted", "extract_edges"),
    "sna.errors": ("InputError", "SchemaError", "SnaError"),
    "sna.io": ("parse_text_page", "read_input"),
    "sna.pipeline": ("Ingested", "ingest", "read_ingested", "write_ingested"),
    "sna.quotes": ("find_pasted_quotes", "locate_quoted_posts"),
    "sna.schema": ("EDGES_SCHEMA", "POSTS_SCHEMA", "validate_edges", "validate_posts"),
    "sna.stance": ("label_edges", "predict_stance"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'sna' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME_OF])


__version__ = "0.1.0"

__all__ = [
    "EDGES_SCHEMA",
    "POSTS_SCHEMA",
    "Corpus",
    "Extracted",
    "Ingested",
    "InputError",
    "Metrics",
    "SchemaError",
    "SnaError",
    "compute_metrics",
    "extract_edges",
    "find_pasted_quotes",
    "ingest",
    "label_edges",
    "load",
    "locate_quoted_posts",
    "parse_text_page",
    "predict_stance",
    "read_ingested",
    "read_input",
    "validate_edges",
    "validate_posts",
    "write_ingested",
]
