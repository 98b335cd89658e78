"""Agreement camps on planted signed graphs: recovery as the noise grows.

Planted partitions of two and three groups (30 authors each); each pair of
authors interacts with probability 0.3; an interaction inside a group is an
agreement and across groups a disagreement, each flipped with probability
``noise``. For each noise level, 20 seeded graphs: the share recovered exactly,
the mean adjusted Rand index against the planted groups, and the frustration
index of the camps found next to the planted partition's and a random one's
(the exact mean over random relabellings with the same camp sizes). Recovery is
scored on the partition found, camps of one included (``CampResult.parts``).
The frustration of the best of four Leiden runs is printed next to the default
single run: it shows where more runs pay (noisy graphs, where no camps are left).

Writes bench/out/camps_recovery.png (the recovery-vs-noise curve) and
bench/out/eval_camps.json.

Usage: python bench/eval_camps.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sna.analysis.signed import SignedPairs, frustration, partition_signed  # noqa: E402

NOISE = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
SEEDS = range(20)


def planted(groups: int, size: int, p_edge: float, noise: float, seed: int) -> tuple[SignedPairs, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(groups), size)
    i, j = np.triu_indices(len(truth), 1)
    keep = rng.random(len(i)) < p_edge
    i, j = i[keep], j[keep]
    positive = (truth[i] == truth[j]) ^ (rng.random(len(i)) < noise)
    return SignedPairs(len(truth), i, j, positive.astype(np.int64), (~positive).astype(np.int64)), truth


def adjusted_rand(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted Rand index of two labelings (Hubert & Arabie 1985)."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    index, rows, cols = pairs(table), pairs(table.sum(1)), pairs(table.sum(0))
    total = len(a) * (len(a) - 1) / 2
    expected = rows * cols / total
    maximum = (rows + cols) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def main() -> None:
    results = []
    print(f"{'groups':>6} {'noise':>6} {'exact':>6} {'ARI':>6} {'frustration':>11} {'4 runs':>7} {'planted':>8} "
          f"{'random':>7}")  # fmt: skip
    for groups in (2, 3):
        for noise in NOISE:
            exact, ari, found, four, truth_f, rand_f = [], [], [], [], [], []
            for seed in SEEDS:
                pairs, truth = planted(groups, 30, 0.3, noise, seed)
                result = partition_signed(pairs, seed=seed)
                score = adjusted_rand(result.parts, truth)
                exact.append(score == 1.0)
                ari.append(score)
                found.append(result.frustration)
                four.append(partition_signed(pairs, seed=seed, runs=4).frustration)
                truth_f.append(frustration(truth + 1, pairs))
                rand_f.append(result.random["mean"])
            row = {
                "groups": groups,
                "noise": noise,
                "exact": float(np.mean(exact)),
                "ari": float(np.mean(ari)),
                "frustration": float(np.mean(found)),
                "frustration_4_runs": float(np.mean(four)),
                "planted_frustration": float(np.mean(truth_f)),
                "random_frustration": float(np.mean(rand_f)),
            }
            results.append(row)
            print(
                f"{groups:>6} {noise:>6.2f} {row['exact']:>6.2f} {row['ari']:>6.3f} {row['frustration']:>11.3f} "
                f"{row['frustration_4_runs']:>7.3f} "
                f"{row['planted_frustration']:>8.3f} {row['random_frustration']:>7.3f}"
            )
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "eval_camps.json").write_text(json.dumps(results, indent=2) + "\n")
    _plot(results, out / "camps_recovery.png")
    print(f"wrote {out / 'eval_camps.json'} and {out / 'camps_recovery.png'}", file=sys.stderr)


def _plot(results: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    colors = {2: "#0072B2", 3: "#D55E00"}
    for groups in (2, 3):
        rows = [r for r in results if r["groups"] == groups]
        noise = [r["noise"] for r in rows]
        axes[0].plot(noise, [r["ari"] for r in rows], marker="o", color=colors[groups], label=f"{groups} groups: ARI")
        axes[0].plot(noise, [r["exact"] for r in rows], marker="s", ls="--", color=colors[groups],
                     label=f"{groups} groups: exact")  # fmt: skip
        axes[1].plot(noise, [r["frustration"] for r in rows], marker="o", color=colors[groups],
                     label=f"{groups} groups: camps found")  # fmt: skip
        axes[1].plot(noise, [r["planted_frustration"] for r in rows], ls=":", color=colors[groups],
                     label=f"{groups} groups: planted")  # fmt: skip
        axes[1].plot(noise, [r["random_frustration"] for r in rows], ls="--", color="0.5" if groups == 2 else "0.7",
                     label=f"{groups} groups: random")  # fmt: skip
    axes[0].set(xlabel="share of interactions with the sign flipped", ylabel="recovery", ylim=(-0.05, 1.05),
                title="Camps recovered from planted groups")  # fmt: skip
    axes[1].set(xlabel="share of interactions with the sign flipped", ylabel="frustration index",
                title="Frustration: found, planted, random")  # fmt: skip
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, frameon=False)
    fig.savefig(path, dpi=150, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    main()
