"""``sna run`` labels stance as the per-pair code did, on data/raw and an IAC fixture.

The snapshots in ``tests/data/stance-snapshot-*.json`` hold, per labelled edge
of ``sna run INPUT --skip figures,html``, its stance and the exact bits of its
``stance_score`` (``float.hex``). They were written by the stance code of main
at commit 5e8ae2b (before the features were rewritten for speed) with the
shipped default model, whose SHA-256 they record: every label must be the same
and every score the same up to :data:`SCORE_TOLERANCE`. Not to the bit: numpy
picks its summation kernels for the CPU at run time (AVX2 or AVX-512), so the
last bits of a score differ between machines (seen: ``…8083p-2`` against
``…8080p-2``). On one machine, the fast path gives the per-pair reference's bits
exactly (``tests/test_stance_speed.py``). A retrained default model changes the scores on purpose; then check
``tests/test_stance_speed.py`` (the per-pair reference, any model) and remake
the snapshots with ``python -m tests.test_stance_snapshot``.
"""

import hashlib
import json
import sys
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from sna.pipeline import run
from tests.helpers import DATA

ROOT = Path(__file__).resolve().parent.parent
CASES = {"raw": ROOT / "data" / "raw", "iac": DATA / "iac"}
#: How far a score may be from the snapshot's: a few units in the last place of a double in [-1, 1].
SCORE_TOLERANCE = 1e-12


def _model_sha256() -> str:
    model = resources.files("sna").joinpath("models", "stance-default.npz")
    return hashlib.sha256(model.read_bytes()).hexdigest()


def _snapshot_path(case: str) -> Path:
    return DATA / f"stance-snapshot-{case}.json"


def _stance_rows(inputs: Path, out: Path) -> list[list[str]]:
    """``[source, target, kind, stance, stance_score.hex()]`` of each labelled edge ``sna run`` writes."""
    run([inputs], out, skip=["figures", "html"])
    edges = pl.read_parquet(out / "edges.parquet").filter(pl.col("stance").is_not_null())
    columns = edges.select("source", "target", "kind", "stance", "stance_score")
    return [[s, t, k, label, float(score).hex()] for s, t, k, label, score in columns.iter_rows()]


@pytest.mark.parametrize("case", sorted(CASES))
def test_sna_run_stance_columns_are_bit_identical_to_the_snapshot(case, tmp_path):
    snapshot = json.loads(_snapshot_path(case).read_text())
    assert snapshot["model_sha256"] == _model_sha256(), (
        "the shipped default stance model changed since the snapshot was written: check "
        "tests/test_stance_speed.py, then remake it with python -m tests.test_stance_snapshot"
    )
    rows = _stance_rows(CASES[case], tmp_path / "out")
    assert len(rows) == len(snapshot["rows"]) >= 10
    assert [row[:4] for row in rows] == [row[:4] for row in snapshot["rows"]]
    far = [(row, old[4]) for row, old in zip(rows, snapshot["rows"], strict=True)
           if abs(float.fromhex(row[4]) - float.fromhex(old[4])) > SCORE_TOLERANCE]  # fmt: skip
    assert not far, f"{len(far)} scores moved, first: {far[0]}"


def write_snapshots() -> None:
    """Write the snapshots with the code and model installed now."""
    import tempfile

    for case, inputs in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            rows = _stance_rows(inputs, Path(tmp) / "out")
        head = {"model_sha256": _model_sha256(), "input": str(inputs.relative_to(ROOT))}
        lines = ",\n".join(json.dumps(row) for row in rows)  # one edge a line
        _snapshot_path(case).write_text(json.dumps(head)[:-1] + f', "rows": [\n{lines}\n]}}\n')
        print(f"wrote {_snapshot_path(case)} ({len(rows)} labelled edges)", file=sys.stderr)


if __name__ == "__main__":
    write_snapshots()
