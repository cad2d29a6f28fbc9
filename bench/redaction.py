"""Recall and precision of the personal-data redactor on the fixture in tests/analysis/redaction_cases.py.

    .venv/bin/python -m bench.redaction

Recall is the share of seeded items a finding covers whole (overall, per kind of shape, and on the
blind round written after the rule); precision is judged on the near misses, answers with no
personal data: each finding there is a false positive. Misses and false positives are listed.
"""

from __future__ import annotations

from collections import Counter

from consult.analysis.redaction import REDACTION_VERSION, find_personal_data
from tests.analysis.redaction_cases import BLIND, NEAR_MISSES, SEEDED


def _covered(text: str, item: str) -> tuple[bool, str]:
    start = text.index(item)
    end = start + len(item)
    for finding in find_personal_data(text):
        if finding.start <= start and finding.end >= end:
            return True, finding.kind
    return False, ""


def measure() -> dict[str, object]:
    kinds: Counter[str] = Counter()
    missed = []
    for text, item in SEEDED:
        found, kind = _covered(text, item)
        if found:
            kinds[kind] += 1
        else:
            missed.append(item)
    blind_missed = [item for text, item in BLIND if not _covered(text, item)[0]]
    false_positives = [
        text[finding.start : finding.end] for text in NEAR_MISSES for finding in find_personal_data(text)
    ]
    found_total = len(SEEDED) - len(missed)
    return {
        "version": REDACTION_VERSION,
        "seeded": len(SEEDED),
        "recall": round(found_total / len(SEEDED), 4),
        "blind_recall": round(1 - len(blind_missed) / len(BLIND), 4),
        "near_misses": len(NEAR_MISSES),
        "false_positives": false_positives,
        "precision": round(found_total / (found_total + len(false_positives)), 4),
        "found_by_kind": dict(sorted(kinds.items())),
        "missed": missed,
    }


if __name__ == "__main__":
    for name, value in measure().items():
        print(f"{name:>16}: {value}")
