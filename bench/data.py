"""The benchmark's data sets, read from ../shared/data (never copied into the repository)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

BANKING77 = "banking77/banking77_all.csv"
POLIS = {
    "polis_bowling_green": "polis_bowling_green/comments.csv",
    "polis_scoop_biodiversity": "polis_scoop_biodiversity/comments.csv",
}


@dataclass(frozen=True)
class Dataset:
    """Texts to find themes in; `labels` are human labels when the set has them (banking77)."""

    name: str
    texts: list[str]
    labels: list[str] | None
    max_themes: int
    source: str


def missing(data: Path) -> list[str]:
    """The data files the benchmark needs that are not under `data`."""
    return [path for path in [BANKING77, *POLIS.values()] if not (data / path).is_file()]


def banking77(data: Path, limit: int | None = None, seed: int = 42) -> Dataset:
    """13,083 customer queries with 77 intent labels; `limit` keeps a seeded random subset.

    The theme cap is raised to 120 for this set: its 77 intents are fine-grained.
    """
    with (data / BANKING77).open(newline="", encoding="utf-8") as file:
        rows = [(row["text"], row["label"]) for row in csv.DictReader(file)]
    if limit and limit < len(rows):
        rows = sorted(random.Random(seed).sample(rows, limit), key=rows.index)
    name = "banking77" if not limit or limit >= len(rows) else f"banking77 ({len(rows)} of them)"
    return Dataset(name, [t for t, _ in rows], [label for _, label in rows], 120, BANKING77)


def polis(data: Path, name: str) -> Dataset:
    """Every Polis comment with text, moderated in or out: a consultation would analyse all of
    them (Polis moderation decides what is put to the vote, not what was said)."""
    with (data / POLIS[name]).open(newline="", encoding="utf-8") as file:
        texts = [row["comment-body"].strip() for row in csv.DictReader(file) if row["comment-body"].strip()]
    return Dataset(name, texts, None, 40, POLIS[name])


def perturbed_copies(
    texts: list[str], labels: list[str | None], count: int, seed: int = 42
) -> tuple[list[str], list[str | None]]:
    """`count` answers made from `texts`: the originals once, then copies with light damage.

    Each copy drops each word with probability 0.15 (keeping at least two) and swaps one pair of
    neighbouring words half of the time, as hurried people type; labels follow their texts.
    """
    rng = random.Random(seed)
    out_texts: list[str] = []
    out_labels: list[str | None] = []
    round_number = 0
    while len(out_texts) < count:
        for text, label in zip(texts, labels, strict=True):
            if len(out_texts) == count:
                break
            words = text.split()
            if round_number:
                kept = [w for w in words if rng.random() >= 0.15]
                words = kept if len(kept) >= 2 else words[:2]
                if len(words) > 2 and rng.random() < 0.5:
                    i = rng.randrange(len(words) - 1)
                    words[i], words[i + 1] = words[i + 1], words[i]
            out_texts.append(" ".join(words))
            out_labels.append(label)
        round_number += 1
    return out_texts, out_labels
