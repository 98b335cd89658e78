"""Stance speed: the array features against the old per-pair path, in the same command.

Cases (real text):

* ``label_edges`` on the IAC 4forums sample (8,776 posts, 15,086 quote and reply
  links; long posts) — and with ``--bulk`` on the 110k-post IAC slice;
* ``predict_proba`` on DEBAGREEMENT ``test.csv`` (4,292 Reddit pairs);
* the accurate model (when its extra is installed, ``--accurate-pairs`` of
  test.csv): the graph and settings it had before (standard ONNX operators,
  spinning threads, 128 word pieces) against the fused graph with sleeping
  threads at 128 pieces (same logits expected) and the shipped run-time lengths
  and temperature; start-up (reading the model, starting the onnxruntime session
  from the warm cache) included, assembling the ONNX file timed apart.

Each case runs the new path and the old one (``bench/stance_reference.py``: each
pair featurized on its own, the parent tokenised again for every reply) and
checks they agree: identical labels, probabilities within float rounding. With
``--baseline DIR`` the old path is instead the stance code of another checkout
(e.g. the main branch), run in a child process on the same pairs, and the check
is also whether the outputs are identical to the bit. Times
are the best of ``--repeat`` runs of each, CPU seconds of this process beside
wall seconds (the machine is shared: CPU time is what a quiet machine's wall
time would be, about); each line gives both paths' pairs per second (wall) and
per CPU-second, and the ratios. Writes ``bench/out/bench_stance.json``.

``--steps`` instead prints the wall and CPU seconds of each step of the default
model (distinct texts, cleaning and tokenising in ``--parts`` parts, each feature
block, the dense features, the scores) and writes ``bench/out/bench_stance_steps.json``.

Usage: python bench/bench_stance.py [--data ../shared/data] [--bulk] [--repeat 3] [--accurate-pairs 1000]
       [--baseline /work/base] [--steps [--parts 2]]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import stance_reference as reference  # noqa: E402
from bench.train_stance import read_debagreement  # noqa: E402
from sna.errors import SnaError  # noqa: E402
from sna.stance import label_edges, load_model  # noqa: E402
from sna.stance.accurate import cache_dir  # noqa: E402


class OldPath:
    """The shipped model applied through the old per-pair features."""

    def __init__(self, model):
        self.model = model

    def predict_proba(self, parents, replies):
        return reference.predict_proba(self.model, list(parents), list(replies))


_BASELINE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np, polars as pl
from sna.stance import label_edges, load_model
kind, folder, repeat = sys.argv[2], sys.argv[3], int(sys.argv[4])
model = load_model()
if kind == "pairs":
    pairs = pl.read_parquet(folder + "/pairs.parquet")
    parents, replies = pairs["parent"].to_list(), pairs["reply"].to_list()
    work = lambda: model.predict_proba(parents, replies)
else:
    posts, edges = pl.read_parquet(folder + "/posts.parquet"), pl.read_parquet(folder + "/edges.parquet")
    work = lambda: label_edges(posts, edges, model=model)
runs = []
for _ in range(repeat):
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    runs.append((time.perf_counter() - wall, time.process_time() - cpu))
if kind == "pairs":
    np.save(folder + "/out.npy", out)
else:
    out.select("stance", "stance_score").write_parquet(folder + "/out.parquet")
print(json.dumps({"wall": min(r[0] for r in runs), "cpu": min(r[1] for r in runs), "sna": __import__("sna").__file__}))
"""


class Baseline:
    """The stance code of another checkout, run in a child process: ``(wall, cpu, output)`` of its best run."""

    def __init__(self, root: Path, repeat: int):
        self.root, self.repeat = root, repeat

    def _run(self, kind: str, tables: dict) -> tuple[float, float, Path]:
        folder = Path(tempfile.mkdtemp(prefix="sna-bench-stance-"))
        for name, frame in tables.items():
            frame.write_parquet(folder / f"{name}.parquet")
        argv = [sys.executable, "-c", _BASELINE, str(self.root), kind, str(folder), str(self.repeat)]
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
        timing = json.loads(done.stdout.strip().splitlines()[-1])
        if not timing["sna"].startswith(str(self.root.resolve())):
            raise SystemExit(f"--baseline {self.root}: the child process imported {timing['sna']}")
        return timing["wall"], timing["cpu"], folder

    def predict_proba(self, parents, replies) -> tuple[float, float, np.ndarray]:
        import polars as pl

        pairs = pl.DataFrame(
            {"parent": list(parents), "reply": list(replies)}, schema={"parent": pl.String, "reply": pl.String}
        )
        wall, cpu, folder = self._run("pairs", {"pairs": pairs})
        return wall, cpu, np.load(folder / "out.npy")

    def label_edges(self, posts, edges) -> tuple[float, float, object]:
        import polars as pl

        wall, cpu, folder = self._run("edges", {"posts": posts, "edges": edges})
        return wall, cpu, pl.read_parquet(folder / "out.parquet")


def best_of(repeat: int, work) -> tuple[float, float, object]:
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        out = work()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(r[0] for r in runs), min(r[1] for r in runs), out


def iac_corpus(data: Path, bulk: bool):
    import sna

    if not bulk:
        return sna.ingest([data / "iac-fourforums"])
    return sna.ingest(sorted((data / "iac-fourforums-bulk").glob("*.tar.xz")), format="iac")


def case(name: str, pairs: int, new, old, check, repeat: int, timed_old: bool = False) -> dict:
    """Time ``new`` (best of ``repeat``) and ``old`` (once, or as it times itself when ``timed_old``)."""
    new_wall, new_cpu, a = best_of(repeat, new)
    old_wall, old_cpu, b = old() if timed_old else best_of(1, old)
    agree = check(a, b)
    row = {
        "case": name,
        "pairs": pairs,
        "new_wall_s": round(new_wall, 3),
        "new_cpu_s": round(new_cpu, 3),
        "old_wall_s": round(old_wall, 3),
        "old_cpu_s": round(old_cpu, 3),
        "new_pairs_per_s_wall": round(pairs / new_wall),
        "new_pairs_per_s_cpu": round(pairs / new_cpu),
        "old_pairs_per_s_wall": round(pairs / old_wall),
        "old_pairs_per_s_cpu": round(pairs / old_cpu),
        "speedup_wall": round(old_wall / new_wall, 1),
        "speedup_cpu": round(old_cpu / new_cpu, 1),
        **agree,
    }
    print(
        f"{name:44} {pairs:>8,} pairs  new {new_wall:6.2f} s ({pairs / new_wall:>7,.0f}/s wall, "
        f"{pairs / new_cpu:>7,.0f}/s CPU)  old {old_wall:6.2f} s ({pairs / old_wall:>7,.0f}/s wall, "
        f"{pairs / old_cpu:>7,.0f}/s CPU)  "
        f"x{old_wall / new_wall:.1f} wall, x{old_cpu / new_cpu:.1f} CPU  "
        f"same labels: {agree['same_labels']}, max |Δp| {agree['max_abs_diff']:.1e}, same bits: {agree['same_bits']}",
        flush=True,
    )
    return row


def accurate_cases(test, pairs: int) -> list[dict]:
    """The accurate model before and after the speed work, on the first ``pairs`` rows of ``test``."""
    try:
        import onnxruntime  # noqa: F401  (the accurate extra; without it these cases are skipped)

        from sna.stance.accurate import ACCURATE_MODEL, AccurateModel, read_accurate

        path = HERE.parent / "sna" / "models" / ACCURATE_MODEL
        shipped = read_accurate(path)
    except (SnaError, ImportError) as exc:
        print(f"accurate model skipped: {exc}", flush=True)
        return []
    before = {k: v for k, v in shipped.meta.items() if k not in ("inference", "calibration")}
    variants = {
        "before: standard ONNX operators, spinning threads, 128 pieces": {"meta": before, "fused": False, "spin": True},
        "fused attention + GELU, sleeping threads, 128 pieces": {"meta": before},
        "shipped: fused, sleeping, run-time lengths + temperature": {"meta": shipped.meta},
    }
    parents, replies = test["parent"].head(pairs).to_list(), test["reply"].head(pairs).to_list()
    rows, outputs = [], {}
    for name, spec in variants.items():
        model = AccurateModel(shipped.delta, spec["meta"], linear=shipped.linear, fused=spec.get("fused", True),
                              spin=spec.get("spin", False))  # fmt: skip
        cold = cache_dir() / f"stance-accurate-{model.graph_key}.onnx"
        if not cold.is_file():
            started = time.perf_counter()
            model.session()
            print(f"  (assembled {cold.name} in {time.perf_counter() - started:.1f} s)", flush=True)

        def work(spec=spec):
            fresh = read_accurate(path)
            model = AccurateModel(fresh.delta, spec["meta"], linear=fresh.linear, fused=spec.get("fused", True),
                                  spin=spec.get("spin", False))  # fmt: skip
            return model.predict_proba(parents, replies)

        wall, cpu, proba = best_of(1, work)
        outputs[name] = proba
        first = next(iter(outputs.values()))
        row = {
            "case": f"accurate model, {name}",
            "pairs": len(replies),
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "pairs_per_s_wall": round(len(replies) / wall, 1),
            "pairs_per_s_cpu": round(len(replies) / cpu, 1),
            "same_labels_as_before": float((proba.argmax(1) == first.argmax(1)).mean()),
            "max_abs_diff_vs_before": float(np.abs(proba - first).max()),
        }
        base = rows[0] if rows else row
        row["speedup_wall"] = round(base["wall_s"] / wall, 2)
        row["speedup_cpu"] = round(base["cpu_s"] / cpu, 2)
        rows.append(row)
        print(
            f"accurate, {name:58} {len(replies):,} pairs {wall:6.1f} s ({len(replies) / wall:6.1f}/s wall, "
            f"{len(replies) / cpu:6.1f}/s CPU)  x{row['speedup_wall']:.2f} wall, x{row['speedup_cpu']:.2f} CPU  "
            f"labels as before: {row['same_labels_as_before']:.1%}, max |Δp| {row['max_abs_diff_vs_before']:.1e}",
            flush=True,
        )
    return rows


def steps(name: str, parents, replies, model, parts: int) -> dict:
    """Wall and CPU seconds of each step of ``model.predict_proba`` on one batch (the default model's path)."""
    import polars as pl

    from sna.stance import features as feat
    from sna.stance import tokens as tk

    timings: dict[str, tuple[float, float]] = {}

    def timed(step, work):
        wall, cpu = time.perf_counter(), time.process_time()
        out = work()
        timings[step] = (time.perf_counter() - wall, time.process_time() - cpu)
        return out

    parents, replies = pl.Series(list(parents), dtype=pl.String), pl.Series(list(replies), dtype=pl.String)
    n = len(replies)
    texts, index = timed("distinct texts", lambda: tk.distinct(pl.concat([parents, replies])))
    tok = timed(f"clean + tokenise ({parts} part{'s' if parts > 1 else ''})",
                lambda: tk.clean_and_tokenise(texts, parts=parts))  # fmt: skip
    parent, reply = index[:n], index[n:]
    sides = {side: np.isin(np.arange(tok.n), which) for side, which in (("reply", reply), ("parent", parent))}
    slots = timed("word hashes and pairs", lambda: feat._word_slots(tok))
    known = {name: model.blocks[name].lookup >= 0 for name in model.used_blocks}
    blocks = {}
    for block, side in (("reply_words", "reply"), ("parent_words", "parent")):
        mask = sides[side]
        blocks[block] = timed(f"{block} block", lambda: feat._word_block(tok, slots, mask, block, known[block]))  # noqa: B023
    opening = known["reply_opening"]
    blocks["reply_opening"] = timed("reply_opening block", lambda: feat._opening_block(tok, sides["reply"], opening))
    dense = timed("dense features", lambda: feat._dense(tok, reply, parent))
    feats = feat.TextFeatures(n, tok.n, reply, parent, {k: v for k, v in blocks.items() if k in known}, dense)
    timed("scores (text_logits)", lambda: model.text_logits(feats))
    timed("whole predict_proba", lambda: model.predict_proba(parents, replies))
    print(f"{name}: {n:,} pairs, {tok.n:,} distinct texts, {len(tok.words):,} tokens", flush=True)
    for step, (wall, cpu) in timings.items():
        print(f"  {step:34} wall {wall:6.2f} s  CPU {cpu:6.2f} s", flush=True)
    return {"case": f"steps, {name}", "pairs": n, **{step: {"wall_s": round(w, 3), "cpu_s": round(c, 3)}
                                                     for step, (w, c) in timings.items()}}  # fmt: skip


def bulk_pairs(data: Path) -> tuple[list, list]:
    """The (parent, reply) texts ``label_edges`` scores on IAC bulk."""
    corpus = iac_corpus(data, True)
    seen = {}

    class Capture:
        def predict_proba(self, parents, replies):
            seen["pairs"] = (parents, replies)
            return np.tile([0.0, 1.0, 0.0], (len(replies), 1))

    label_edges(corpus.posts, corpus.edges, model=Capture())
    return seen["pairs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument(
        "--bulk", action="store_true", help="Also the 110k-post IAC slice (the old path takes minutes)."
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--baseline", type=Path, default=None,
        help="A checkout whose stance code is the old path (e.g. ../main), instead of the per-pair reference.",
    )  # fmt: skip
    parser.add_argument("--accurate-pairs", type=int, default=1000, help="Rows of test.csv for the accurate model.")
    parser.add_argument("--only-accurate", action="store_true", help="Only the accurate model's cases.")
    parser.add_argument(
        "--steps", action="store_true",
        help="Only the CPU seconds of each step of the default model on DEBAGREEMENT test (and IAC bulk with --bulk).",
    )  # fmt: skip
    parser.add_argument("--parts", type=int, default=1, help="With --steps: parts the texts are tokenised in.")
    args = parser.parse_args()
    model = load_model()
    old_model = OldPath(model)
    baseline = Baseline(args.baseline, args.repeat) if args.baseline else None
    rows = []

    test = read_debagreement(args.data / "debagreement-subset" / "test.csv")
    parents, replies = test["parent"].to_list(), test["reply"].to_list()
    if args.steps:
        rows = [steps("DEBAGREEMENT test.csv", parents, replies, model, args.parts)]
        if args.bulk:
            rows.append(steps("IAC bulk label_edges pairs", *bulk_pairs(args.data), model, args.parts))
        write_rows(rows, "bench_stance_steps.json")
        return
    if args.only_accurate:
        write_rows(accurate_cases(test, args.accurate_pairs))
        return

    def same_proba(a, b):
        return {"same_labels": bool((a.argmax(1) == b.argmax(1)).all()), "max_abs_diff": float(np.abs(a - b).max()),
                "same_bits": a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()}  # fmt: skip

    rows.append(
        case(
            "predict_proba, DEBAGREEMENT test.csv",
            len(replies),
            lambda: model.predict_proba(parents, replies),
            (lambda: baseline.predict_proba(parents, replies))
            if baseline
            else (lambda: old_model.predict_proba(parents, replies)),
            same_proba,
            args.repeat,
            timed_old=baseline is not None,
        )
    )

    def same_edges(a, b):
        diff = (a["stance_score"] - b["stance_score"]).abs().max()
        bits = a["stance_score"].to_numpy().tobytes() == b["stance_score"].to_numpy().tobytes()
        return {"same_labels": bool(a["stance"].equals(b["stance"])), "max_abs_diff": float(diff or 0.0),
                "same_bits": bool(a["stance"].equals(b["stance"], null_equal=True)) and bits}  # fmt: skip

    for bulk in (False, True) if args.bulk else (False,):
        corpus = iac_corpus(args.data, bulk)
        labelled = label_edges(corpus.posts, corpus.edges)["stance"].drop_nulls().len()
        name = f"label_edges, IAC {'bulk' if bulk else 'sample'} ({corpus.posts.height:,} posts)"
        rows.append(
            case(
                name,
                labelled,
                lambda c=corpus: label_edges(c.posts, c.edges),
                (lambda c=corpus: baseline.label_edges(c.posts, c.edges))
                if baseline
                else (lambda c=corpus: label_edges(c.posts, c.edges, model=old_model)),
                same_edges,
                args.repeat,
                timed_old=baseline is not None,
            )
        )
    rows.extend(accurate_cases(test, args.accurate_pairs))
    write_rows(rows)


def write_rows(rows: list[dict], name: str = "bench_stance.json") -> None:
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / name).write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {out / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
