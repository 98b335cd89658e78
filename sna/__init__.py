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

from sna.analysis.report import Metrics, compute_metrics
from sna.corpus import Corpus, load
from sna.edges import Extracted, extract_edges
from sna.errors import InputError, SchemaError, SnaError
from sna.io import parse_text_page, read_input
from sna.pipeline import Ingested, ingest, read_ingested, write_ingested
from sna.quotes import find_pasted_quotes, locate_quoted_posts
from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, validate_edges, validate_posts
from sna.stance import label_edges, predict_stance

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
