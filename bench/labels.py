"""Offline labels of the themes found on real data, judged by the label rules.

    .venv/bin/python -m bench.labels            # the Polis sets and 3,000 banking77 queries
    .venv/bin/python -m bench.labels --full     # all 13,083 banking77 queries too (slower)

For each set it finds themes as a run does (`discover_themes`, the product's defaults), labels
them offline with the real embedding model (`extractive_labels`), and checks every label with
`consult.analysis.labels.label_problems` against the question's other labels and the theme's
members: the number of labels that break a rule (the target is zero), how many labels are
distinct, and every label, so that a person can read them. Embeddings are read from the cache that
`bench.analysis` fills under .cache/bench/.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from typing import Any

from bench import data as datasets
from bench.analysis import _answers, _cache_dir, embeddings_for
from bench.machine import describe
from consult.analysis.embedding import load_embedder
from consult.analysis.extractive import extractive_labels
from consult.analysis.labels import label_problems
from consult.analysis.themes import discover_themes


def measure(dataset: datasets.Dataset, embedder: Any) -> dict[str, Any]:
    """Themes, offline labels and their rule violations for one data set."""
    vectors, _, _, _ = embeddings_for(dataset.name, dataset.texts, embedder, reuse=True)
    answers = _answers(dataset.texts)
    model = discover_themes(answers, vectors, encode=embedder.encode)
    by_id = {answer.id: answer for answer in answers}
    vector_of = {answer.id: vectors[answer.id] for answer in answers}
    clock = time.perf_counter()
    labelled = extractive_labels(model.themes, by_id, vectors=vector_of, encode=embedder.encode)
    seconds = time.perf_counter() - clock
    labels = [label for label, _ in labelled]
    violations = []
    for index, (theme, label) in enumerate(zip(model.themes, labels, strict=True)):
        problems = label_problems(
            label,
            other_labels=labels[:index] + labels[index + 1 :],
            member_texts=[by_id[member].text for member in theme.member_ids],
        )
        if problems:
            violations.append({"label": label, "problems": problems})
    return {
        "set": dataset.name,
        "answers": len(answers),
        "themes": len(model.themes),
        "same_point_merges": model.same_point_merges,
        "distinct_labels": len({label.casefold() for label in labels}),
        "violations": violations,
        "label_seconds": round(seconds, 1),
        "labels": [
            {"label": label, "answers": len(theme.member_ids), "description": description}
            for theme, (label, description) in zip(model.themes, labelled, strict=True)
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.labels", description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="all 13,083 banking77 queries, not 3,000")
    options = parser.parse_args(argv)
    if missing := datasets.missing(datasets.DATA):
        print(f"Skipped: {', '.join(missing)} not found under {datasets.DATA}")
        return 0
    embedder = load_embedder(None)
    sets = [
        datasets.polis(datasets.DATA, "polis_bowling_green"),
        datasets.polis(datasets.DATA, "polis_scoop_biodiversity"),
        datasets.banking77(datasets.DATA, None if options.full else 3000),
    ]
    results = [measure(dataset, embedder) for dataset in sets]
    print("| set | answers | themes | distinct labels | rule violations | labelling s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        print(
            f"| {result['set']} | {result['answers']} | {result['themes']} | {result['distinct_labels']} | "
            f"{len(result['violations'])} | {result['label_seconds']} |"
        )
    for result in results:
        print(f"\n{result['set']}: the ten largest themes' labels")
        for item in result["labels"][:10]:
            print(f"  {item['answers']:5d}  {item['label']}")
        for violation in result["violations"]:
            print(f"  VIOLATION {violation['label']!r}: {'; '.join(violation['problems'])}")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = _cache_dir() / f"labels-{stamp}.json"
    path.write_text(json.dumps({"machine": describe(), "results": results}, indent=2, default=str))
    print(f"\nWritten to {path}")
    return 1 if any(result["violations"] for result in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
