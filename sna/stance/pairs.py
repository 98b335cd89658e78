"""Tables of (parent, reply) pairs for ``sna stance``: reading them and labelling them.

The reader keeps every column exactly as given (CSV cells stay text), so the
labelled table is the input plus ``stance`` and ``stance_score``.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import Any

import polars as pl

from sna.errors import InputError, SnaError
from sna.stance.model import StanceModel

_SUFFIX_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".tsv": "tsv",
                   ".tab": "tsv"}  # fmt: skip
PROBABILITY_COLUMNS = ("p_disagree", "p_neutral", "p_agree")


def _decode(path: Path, encoding: str) -> bytes:
    """The file as UTF-8 bytes, decoded from ``encoding`` (the readers' decoder and advice, ``--encoding``)."""
    from sna.io.helpers.encodings import option_hint
    from sna.io.helpers.streams import decode_text

    return decode_text(path.read_bytes(), where=path, encoding=encoding, hint=option_hint).encode("utf-8")


def read_pairs(path: str | Path, *, columns: tuple[str, ...], encoding: str = "utf-8") -> pl.DataFrame:
    """Read a CSV, TSV, JSON Lines or Parquet table that has the given columns.

    Parameters
    ----------
    path : str or Path
        The table; its format comes from the suffix (CSV otherwise).
    columns : tuple of str
        Columns that must be present and hold text in every row.
    encoding : str
        Text encoding of CSV/TSV/JSON Lines files (Python codec name, e.g. ``cp1252``).

    Returns
    -------
    pl.DataFrame
        All columns of the file, in order (CSV cells as text).

    Raises
    ------
    InputError
        Naming the file (and line or row): missing file, undecodable text, a
        missing column (listing the columns there are), no rows, or an empty
        text in one of ``columns``.
    """
    path = Path(path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SnaError(f"--encoding: unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)") from None
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", path=path)
    fmt = _SUFFIX_FORMATS.get(path.suffix.lower(), "csv")
    try:
        if fmt == "parquet":
            df = pl.read_parquet(path)
        else:
            data = io.BytesIO(_decode(path, encoding))
            if fmt == "jsonl":
                df = pl.read_ndjson(data, infer_schema_length=None)
            else:
                df = pl.read_csv(data, infer_schema=False, separator="\t" if fmt == "tsv" else ",",
                                 quote_char=None if fmt == "tsv" else '"')  # fmt: skip
    except InputError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read as {fmt.upper()}: {first}", path=path) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise InputError(f"no column {names} (columns: {', '.join(df.columns)})", path=path)
    if df.height == 0:
        raise InputError("no rows", path=path)
    for name in dict.fromkeys(columns):
        if df[name].dtype != pl.String:
            raise InputError(f"column {name!r} holds {df[name].dtype}, expected text", path=path)
        empty = df[name].is_null() | (df[name].str.strip_chars() == "")
        if empty.any():
            row = int(empty.arg_true()[0]) + 1
            raise InputError(f"{name} is empty (expected the text of the post)", path=path, row=row)
    return df


def label_pairs(
    df: pl.DataFrame,
    *,
    parent_col: str,
    reply_col: str,
    model: StanceModel | Any = None,
    probabilities: bool = False,
    min_confidence: float | None = None,
) -> pl.DataFrame:
    """The table with ``stance`` and ``stance_score`` (and the probabilities) appended.

    Columns of those names already in the table are replaced. Rows whose most
    probable label has a probability below ``min_confidence`` get null
    ``stance`` and ``stance_score`` (the probabilities stay).

    Examples
    --------
    >>> df = pl.DataFrame({"id": [1], "a": ["Cats are great."], "b": ["Totally agree, well said!"]})
    >>> label_pairs(df, parent_col="a", reply_col="b").columns
    ['id', 'a', 'b', 'stance', 'stance_score']
    """
    from sna.stance import predict_stance

    pred = predict_stance(df[parent_col], df[reply_col], model=model)
    if min_confidence is not None:
        unsure = pred.select(pl.max_horizontal(*PROBABILITY_COLUMNS) < min_confidence).to_series()
        pred = pred.with_columns(
            pl.when(unsure).then(None).otherwise(pl.col(c)).alias(c) for c in ("stance", "stance_score")
        )
    added = ["stance", "stance_score", *(PROBABILITY_COLUMNS if probabilities else ())]
    return df.drop([c for c in added if c in df.columns]).hstack(pred.select(added))
