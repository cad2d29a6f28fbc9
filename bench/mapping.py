"""Mapping answers to officials' themes on banking77, against one-vs-rest logistic regression.

    .venv/bin/python -m bench.mapping                 # everything, a few minutes on 2 cores
    .venv/bin/python -m bench.mapping --rounds 0      # without the active-learning curve

Banking77's 77 intents stand in for signed-off themes. For k = 5 and k = 20 example answers per
intent (a seeded draw), each method learns from the examples and the intent's name ("card_arrival"
becomes the label "Card arrival", embedded with the product's model) and is scored on every other
query by samples-averaged F1 (scikit-learn's f1_score(average="samples") on indicator matrices; an
empty prediction is Other, no labels, and scores 0 on a query that has one). The methods:

- consult: `consult.analysis.mapping.map_to_themes`, the examples as members, the name as label;
- logistic regression: OneVsRestClassifier(LogisticRegression(max_iter=1000)), scikit-learn's
  defaults, on the same embeddings and examples (not the names), predicting its top class for
  every query (exactly one label: it never says Other);
- consult, names only: the product with no examples at all;
- previous mapping: the prototype-and-threshold mapping consult used before (copied below).

The active-learning curve starts from k = 5 and, for `--rounds` rounds, adds the true labels of 20
answers per round: the 20 the mapping is least sure of (`least_sure`) against 20 drawn at random
(`random_rows`), each scored on the queries outside its own examples. Embeddings come from the
cache bench.analysis fills (.cache/bench/). Writes .cache/bench/mapping-<time>.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import data as datasets
from bench.analysis import _cache_dir, embeddings_for
from bench.machine import describe
from consult.analysis.embedding import load_embedder
from consult.analysis.mapping import ThemeEvidence, least_sure, map_to_themes, random_rows

ROUND_SIZE = 20


def humanised(intent: str) -> str:
    """'card_arrival' -> 'Card arrival': the label an official would have typed."""
    words = intent.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def draw_examples(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """`per_class` row indexes of each class, drawn with a seeded generator, sorted."""
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    for label in range(int(labels.max()) + 1):
        rows = np.flatnonzero(labels == label)
        chosen.extend(int(row) for row in rng.choice(rows, size=min(per_class, len(rows)), replace=False))
    return np.array(sorted(chosen), dtype=int)


def samples_f1(truth: np.ndarray, predicted: list[list[int]], classes: int) -> float:
    """Samples-averaged F1 of single true labels against predicted label lists ([] = Other)."""
    from sklearn.metrics import f1_score

    true_matrix = np.zeros((len(truth), classes), dtype=int)
    true_matrix[np.arange(len(truth)), truth] = 1
    predicted_matrix = np.zeros((len(truth), classes), dtype=int)
    for row, found in enumerate(predicted):
        predicted_matrix[row, found] = 1
    return float(f1_score(true_matrix, predicted_matrix, average="samples", zero_division=0))


def _shares(predicted: list[list[int]]) -> dict[str, float]:
    return {
        "other": sum(1 for found in predicted if not found) / len(predicted),
        "several": sum(1 for found in predicted if len(found) > 1) / len(predicted),
    }


def run_product(
    vectors: np.ndarray, labels: np.ndarray, label_vectors: np.ndarray, examples: np.ndarray, seed: int
) -> tuple[dict[str, Any], Any]:
    """The product trained on `examples` (may be empty) and the names; scored on the other rows."""
    themes = [
        ThemeEvidence(
            key=theme,
            member_indexes=tuple(int(row) for row in examples[labels[examples] == theme]),
            label_vector=label_vectors[theme],
        )
        for theme in range(len(label_vectors))
    ]
    clock = time.perf_counter()
    mapping = map_to_themes(vectors, themes, seed=seed)
    seconds = time.perf_counter() - clock
    scored = np.setdiff1d(np.arange(len(labels)), examples)
    predicted = [[match.key for match in mapping.matches[row]] for row in scored]
    return {
        "f1": samples_f1(labels[scored], predicted, len(label_vectors)),
        "seconds": seconds,
        "scored": len(scored),
        **_shares(predicted),
    }, mapping


def run_baseline(vectors: np.ndarray, labels: np.ndarray, examples: np.ndarray) -> dict[str, Any]:
    """scikit-learn's one-vs-rest logistic regression with its defaults; top class for every row."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    clock = time.perf_counter()
    model = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(vectors[examples], labels[examples])
    scored = np.setdiff1d(np.arange(len(labels)), examples)
    top = model.classes_[model.predict_proba(vectors[scored]).argmax(axis=1)]
    seconds = time.perf_counter() - clock
    predicted = [[int(label)] for label in top]
    return {
        "f1": samples_f1(labels[scored], predicted, int(labels.max()) + 1),
        "seconds": seconds,
        "scored": len(scored),
        **_shares(predicted),
    }


def previous_mapping(vectors: np.ndarray, members: list[np.ndarray], label_vectors: np.ndarray) -> list[list[int]]:
    """The mapping consult used before this classifier (copied from its earlier
    consult/analysis/mapping.py): each theme's prototype is its members' unit mean nudged towards
    its label (weight 0.25), its threshold halfway between its members' 5% closeness and the other
    answers' mean (label-only: the top 5% of answers), never under 0.25; an answer joins every
    theme it reaches within 0.05 of its best fit, at most 3."""

    def unit(vector: np.ndarray) -> np.ndarray:
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector

    answers = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    prototypes = []
    for rows, label in zip(members, label_vectors, strict=True):
        label = unit(label)
        prototypes.append(unit(unit(answers[rows].mean(axis=0)) + 0.25 * label) if len(rows) else label)
    similarity = answers @ np.stack(prototypes).T
    thresholds = np.empty(len(prototypes))
    for n, rows in enumerate(members):
        column = similarity[:, n]
        if len(rows):
            is_member = np.zeros(len(answers), dtype=bool)
            is_member[rows] = True
            closeness, background = float(np.quantile(column[is_member], 0.05)), float(column[~is_member].mean())
        else:
            closeness, background = float(np.quantile(column, 0.95)), float(column.mean())
        thresholds[n] = max((closeness + background) / 2, 0.25)
    fit = similarity - thresholds
    predicted: list[list[int]] = []
    for fits in fit:
        joined = np.flatnonzero(fits >= 0)
        if not len(joined):
            predicted.append([])
            continue
        ranked = joined[np.argsort(-fits[joined], kind="stable")]
        predicted.append([int(n) for n in ranked if fits[n] >= fits[ranked[0]] - 0.05][:3])
    return predicted


def run_previous(
    vectors: np.ndarray, labels: np.ndarray, label_vectors: np.ndarray, examples: np.ndarray
) -> dict[str, Any]:
    clock = time.perf_counter()
    members = [examples[labels[examples] == theme] for theme in range(len(label_vectors))]
    predicted_all = previous_mapping(vectors, members, label_vectors)
    seconds = time.perf_counter() - clock
    scored = np.setdiff1d(np.arange(len(labels)), examples)
    predicted = [predicted_all[row] for row in scored]
    return {
        "f1": samples_f1(labels[scored], predicted, len(label_vectors)),
        "seconds": seconds,
        "scored": len(scored),
        **_shares(predicted),
    }


def active_learning(
    vectors: np.ndarray, labels: np.ndarray, label_vectors: np.ndarray, start: np.ndarray, rounds: int, seed: int
) -> dict[str, list[float]]:
    """F1 after each round of 20 more labelled answers: least sure first, or at random."""
    curves: dict[str, list[float]] = {}
    for strategy in ("least sure", "random"):
        examples = start.copy()
        result, mapping = run_product(vectors, labels, label_vectors, examples, seed)
        curve = [result["f1"]]
        for round_number in range(rounds):
            known = set(examples.tolist())
            if strategy == "least sure":
                added = least_sure(mapping, ROUND_SIZE, exclude=known)
            else:
                added = random_rows(len(labels), ROUND_SIZE, seed=seed + round_number, exclude=known)
            examples = np.array(sorted(known | set(added)), dtype=int)
            result, mapping = run_product(vectors, labels, label_vectors, examples, seed)
            curve.append(result["f1"])
            print(f"active learning, {strategy}, round {round_number + 1}: F1 {result['f1']:.3f}", flush=True)
        curves[strategy] = curve
    return curves


def render(report: dict[str, Any]) -> str:
    """The results as Markdown, ready for docs/benchmarks.md."""
    machine = report["machine"]
    lines = [
        f"Run {machine['date']} with `{report['command']}` on {report['answers']:,} banking77 queries "
        f"(77 intents), seed {report['seed']}.",
        "",
        f"Machine: {machine['cpu']}, {machine['nproc']} cores (nproc), {machine['memory_gb']} GB memory; "
        f"Python {machine['python']}; " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()) + ".",
        f"Embedding model: {report['model']}.",
        "",
        "| examples per intent | method | decision rule | samples F1 | Other | 2+ themes | scored queries | seconds |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["results"]:
        lines.append(
            f"| {row['k']} | {row['method']} | {row['rule']} | {row['f1']:.3f} | {row['other']:.1%} | "
            f"{row['several']:.1%} | {row['scored']:,} | {row['seconds']:.1f} |"
        )
    for k, verdict in report["verdicts"].items():
        lines.append(
            f"\nk = {k}: consult {verdict['consult']:.3f} vs logistic regression {verdict['baseline']:.3f}: "
            f"{'at least as good' if verdict['met'] else 'WORSE'}."
        )
    if report.get("active_learning"):
        curves = report["active_learning"]
        rounds = len(next(iter(curves.values())))
        lines += [
            "",
            f"Active learning from k = 5, {ROUND_SIZE} answers' true labels added per round (F1 on the rest):",
            "",
            "| strategy | " + " | ".join(f"+{ROUND_SIZE * r}" for r in range(rounds)) + " |",
            "| --- | " + " | ".join("---:" for _ in range(rounds)) + " |",
        ]
        for strategy, curve in curves.items():
            lines.append(f"| {strategy} | " + " | ".join(f"{value:.3f}" for value in curve) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mapping", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=3, help="active-learning rounds (0 skips the curve)")
    parser.add_argument("--data", type=Path, default=datasets.DATA, help="the shared data folder (../shared/data)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if not (args.data / datasets.BANKING77).is_file():
        print(f"Skipping the mapping benchmark: {datasets.BANKING77} not found under {args.data}.")
        return 0

    dataset = datasets.banking77(args.data)
    embedder = load_embedder()
    vectors, _, cached, _ = embeddings_for(dataset.name, dataset.texts, embedder, reuse=True)
    print(f"{dataset.name}: {len(vectors)} embeddings{' (cached)' if cached else ''}", flush=True)
    intents = sorted(set(dataset.labels or []))
    index = {intent: n for n, intent in enumerate(intents)}
    labels = np.array([index[label] for label in dataset.labels or []])
    label_vectors = embedder.encode([humanised(intent) for intent in intents])

    report: dict[str, Any] = {
        "machine": describe(),
        "command": " ".join(["python -m bench.mapping", *(argv if argv is not None else sys.argv[1:])]),
        "model": embedder.name,
        "answers": len(labels),
        "seed": args.seed,
        "results": [],
        "verdicts": {},
    }
    product_rule = "calibrated P >= threshold, up to 3, else Other"
    for k in (5, 20):
        examples = draw_examples(labels, k, args.seed)
        ours, _ = run_product(vectors, labels, label_vectors, examples, args.seed)
        baseline = run_baseline(vectors, labels, examples)
        previous = run_previous(vectors, labels, label_vectors, examples)
        report["results"] += [
            {"k": k, "method": "consult", "rule": product_rule, **ours},
            {"k": k, "method": "logistic regression (OvR, defaults)", "rule": "top class, always one", **baseline},
            {"k": k, "method": "previous mapping", "rule": "similarity >= threshold, up to 3", **previous},
        ]
        report["verdicts"][k] = {"consult": ours["f1"], "baseline": baseline["f1"], "met": ours["f1"] >= baseline["f1"]}
        print(
            f"k={k}: consult {ours['f1']:.3f}, logistic regression {baseline['f1']:.3f}, previous {previous['f1']:.3f}",
            flush=True,
        )
    nothing = np.array([], dtype=int)
    names_only, _ = run_product(vectors, labels, label_vectors, nothing, args.seed)
    previous_names = run_previous(vectors, labels, label_vectors, nothing)
    report["results"] += [
        {"k": 0, "method": "consult, names only", "rule": product_rule, **names_only},
        {
            "k": 0,
            "method": "previous mapping, names only",
            "rule": "similarity >= threshold, up to 3",
            **previous_names,
        },
    ]
    print(f"names only: consult {names_only['f1']:.3f}, previous {previous_names['f1']:.3f}", flush=True)
    if args.rounds:
        start = draw_examples(labels, 5, args.seed)
        report["active_learning"] = active_learning(vectors, labels, label_vectors, start, args.rounds, args.seed)

    text = render(report)
    print("\n" + text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = _cache_dir() / f"mapping-{stamp}.md"
    out.write_text(text)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2, default=float))
    print(f"Written to {out.relative_to(datasets.ROOT)} (and .json beside it).")
    return 0 if all(verdict["met"] for verdict in report["verdicts"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
