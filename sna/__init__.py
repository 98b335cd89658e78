"""sna: social network analysis of online forum discussions.

Read forum threads into the canonical POSTS and EDGES tables, recover who
quotes or replies to whom, and analyse the result.

Examples
--------
>>> import sna
>>> result = sna.ingest(["data/raw"])
>>> result.posts.height, int((result.edges["kind"] == "quote").sum())
(32, 12)
"""

from sna.edges import Extracted, extract_edges
from sna.errors import InputError, SchemaError, SnaError
from sna.io import parse_text_page, read_input
from sna.pipeline import Ingested, ingest, read_ingested, write_ingested
from sna.quotes import find_pasted_quotes, locate_quoted_posts
from sna.schema import EDGES_SCHEMA, POSTS_SCHEMA, validate_edges, validate_posts

__version__ = "0.1.0"

__all__ = [
    "EDGES_SCHEMA",
    "POSTS_SCHEMA",
    "Extracted",
    "Ingested",
    "InputError",
    "SchemaError",
    "SnaError",
    "extract_edges",
    "find_pasted_quotes",
    "ingest",
    "locate_quoted_posts",
    "parse_text_page",
    "read_ingested",
    "read_input",
    "validate_edges",
    "validate_posts",
    "write_ingested",
]
