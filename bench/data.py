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


# The coarse set: banking77 intents grouped by subject, written for this benchmark (the intents'
# first words alone make 45 groups, and split one subject, such as getting a card, over several).
# Each group joins the intents about one subject; the subjects are far apart, the intents within
# a group close. Found themes are compared with the groups, so splitting a subject into its
# intents counts against the method here, while the full set rewards it: the number of themes
# must come from the answers, not from a setting.
COARSE_GROUPS = {
    "card delivery": ["card_arrival", "card_delivery_estimate", "order_physical_card", "get_physical_card"],
    "top-ups": ["top_up_failed", "top_up_reverted", "pending_top_up", "top_up_limits"],
    "exchange rates": ["exchange_rate", "exchange_charge", "exchange_via_app"],
    "identity checks": ["verify_my_identity", "unable_to_verify_identity", "why_verify_identity"],
    "lost or stolen": ["lost_or_stolen_card", "lost_or_stolen_phone", "compromised_card"],
    "PIN and passcode": ["change_pin", "pin_blocked", "passcode_forgotten"],
    "refunds": ["request_refund", "Refund_not_showing_up"],
    "cash withdrawals": ["cash_withdrawal_charge", "cash_withdrawal_not_recognised", "wrong_amount_of_cash_received"],
    "transfers": ["transfer_timing", "transfer_not_received_by_recipient", "failed_transfer", "cancel_transfer"],
    "virtual cards": [
        "getting_virtual_card",
        "get_disposable_virtual_card",
        "virtual_card_not_working",
        "disposable_card_limits",
    ],
    "mobile wallets": ["apple_pay_or_google_pay"],
    "closing the account": ["terminate_account"],
    "age limit": ["age_limit"],
}


@dataclass(frozen=True)
class Dataset:
    """Texts to find themes in; `labels` are human labels when the set has them (banking77), and
    `intents` banking77's own labels where `labels` are coarser groups of them.

    `old_cap` is the fixed number of themes the engine was run with before it chose the number
    from the data (120 for banking77 in this benchmark, the product's default 40 elsewhere).
    """

    name: str
    texts: list[str]
    labels: list[str] | None
    old_cap: int
    source: str
    intents: list[str] | None = None


def missing(data: Path) -> list[str]:
    """The data files the benchmark needs that are not under `data`."""
    return [path for path in [BANKING77, *POLIS.values()] if not (data / path).is_file()]


def banking77(data: Path, limit: int | None = None, seed: int = 42) -> Dataset:
    """13,083 customer queries with 77 intent labels; `limit` keeps a seeded random subset."""
    with (data / BANKING77).open(newline="", encoding="utf-8") as file:
        rows = [(row["text"], row["label"]) for row in csv.DictReader(file)]
    name = "banking77"
    if limit and limit < len(rows):
        rows = sorted(random.Random(seed).sample(rows, limit), key=rows.index)
        name = f"banking77 ({len(rows)} of them)"
    return Dataset(name, [t for t, _ in rows], [label for _, label in rows], 120, BANKING77)


def banking77_coarse(data: Path) -> Dataset:
    """The banking77 queries of the intents in COARSE_GROUPS (36 intents, 5,919 queries), labelled
    with their group (13 groups)."""
    group = {intent: name for name, intents in COARSE_GROUPS.items() for intent in intents}
    full = banking77(data)
    rows = [(text, intent) for text, intent in zip(full.texts, full.labels or [], strict=True) if intent in group]
    texts, intents = [t for t, _ in rows], [i for _, i in rows]
    return Dataset("coarse-banking77", texts, [group[i] for i in intents], 40, BANKING77, intents)


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
