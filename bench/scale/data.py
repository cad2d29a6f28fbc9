"""The data of `make bench-scale`: one consultation with one free-text question and N submitted
responses, each answer already redacted (as arrivals or an import leave it) and embedded.

The texts are banking77's (../shared/data, read in place, never copied): each answer joins three
texts of one intent, so that a million answers are a million distinct texts, not seventy copies
of each of 13,000 (which would be campaigns). Its vector is synthetic, and labelled so: the
normalised sum of the real model's vectors of its three texts (all-MiniLM-L6-v2 from the
packaged weights, computed once and cached in .cache/bench-scale/), which keeps the intents'
structure without embedding a million texts for each benchmark.

Planted in the answers, to check what the analysis finds at scale:
- a small view: answers from one intent only (age_limit), 0.05% of them (500 of a million);
- a campaign: 3% copies of one template, a third of them with a sentence of their own added;
- non-answers ("N/A", "Nothing to add."), 0.5%.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77" / "banking77_all.csv"
CACHE = ROOT / ".cache" / "bench-scale"

SMALL_VIEW = "age_limit"
SMALL_VIEW_SHARE = 0.0005
CAMPAIGN_SHARE = 0.03
NON_ANSWER_SHARE = 0.005
NON_ANSWERS = ("N/A", "Nothing to add.", "No comment", "none", "See my previous answer.")
# The campaign's template, written for this benchmark.
TEMPLATE = (
    "Keep a real person on the phone for card and payment problems. An app cannot sort out every "
    "problem, and people who struggle with it should never be left without help from a human."
)
QUESTION = "What should the bank change about how it handles problems with cards, payments and accounts?"
BATCH = 20_000


@dataclass(frozen=True)
class Texts:
    """banking77's texts by intent, with the model's vector of each."""

    by_intent: dict[str, list[int]]
    texts: list[str]
    vectors: np.ndarray
    template: np.ndarray


def load_texts(embedder: Any) -> Texts:
    with BANKING77.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    texts = [row["text"].strip() for row in rows]
    by_intent: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_intent.setdefault(row["label"], []).append(index)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"banking77-{hashlib.sha256(embedder.name.encode()).hexdigest()[:12]}.npy"
    if cached.exists():
        vectors = np.load(cached)
    else:
        vectors = embedder.encode([*texts, TEMPLATE])
        np.save(cached, vectors)
    return Texts(by_intent, texts, vectors[:-1], vectors[-1])


@dataclass(frozen=True)
class Row:
    text: str
    vector: np.ndarray
    kind: str  # "answer", "small view", "campaign", "non-answer"


def rows(texts: Texts, count: int, seed: int = 7) -> Iterator[list[Row]]:
    """`count` answers in batches, in a seeded random order of kinds."""
    rng = random.Random(seed)
    small = round(SMALL_VIEW_SHARE * count)
    campaign = round(CAMPAIGN_SHARE * count)
    non = round(NON_ANSWER_SHARE * count)
    kinds = ["small view"] * small + ["campaign"] * campaign + ["non-answer"] * non
    kinds += ["answer"] * (count - len(kinds))
    rng.shuffle(kinds)
    intents = [intent for intent in texts.by_intent if intent != SMALL_VIEW]
    seen: set[tuple[int, ...]] = set()
    dimensions = texts.vectors.shape[1]
    for start in range(0, count, BATCH):
        batch: list[Row] = []
        for kind in kinds[start : start + BATCH]:
            if kind == "non-answer":
                batch.append(Row(rng.choice(NON_ANSWERS), np.zeros(dimensions, dtype=np.float32), kind))
                continue
            if kind == "campaign":
                if rng.random() < 1 / 3:
                    extra = rng.randrange(len(texts.texts))
                    vector = texts.template + 0.5 * texts.vectors[extra]
                    batch.append(Row(f"{TEMPLATE} {texts.texts[extra]}", _unit(vector), kind))
                else:
                    batch.append(Row(TEMPLATE, texts.template, kind))
                continue
            pool = texts.by_intent[SMALL_VIEW if kind == "small view" else rng.choice(intents)]
            while True:
                chosen = tuple(sorted(rng.sample(pool, 3)))
                if chosen not in seen:
                    seen.add(chosen)
                    break
            text = " ".join(texts.texts[i] for i in rng.sample(chosen, 3))
            batch.append(Row(text, _unit(texts.vectors[list(chosen)].sum(axis=0)), kind))
        yield batch


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)


def full_row(model: Any, values: dict[str, Any], now: Any) -> tuple[Any, ...]:
    """A row for every concrete column of `model`, from `values` (by field name) or the field's
    own default, for a bulk write that bypasses the model's save()."""
    return tuple(
        values[field.name]
        if field.name in values
        else now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in model._meta.concrete_fields
    )


def columns(model: Any) -> Sequence[str]:
    return [field.column for field in model._meta.concrete_fields]
