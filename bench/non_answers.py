"""Precision and recall of the non-answer rule on the labelled fixture in tests/analysis/non_answer_cases.py.

    .venv/bin/python -m bench.non_answers

A non-answer is the positive class: precision is the share of answers the rule flags that are
non-answers, recall the share of non-answers it flags. Each wrong verdict is listed.
"""

from __future__ import annotations

from consult.analysis.non_answers import NON_ANSWERS_VERSION, is_non_answer
from tests.analysis.non_answer_cases import CASES


def measure() -> dict[str, float | int | str | list[str]]:
    """Precision, recall and F1 of `is_non_answer` on the fixture, the count of each class, and
    the texts it got wrong (false positives: substantive answers flagged; false negatives:
    non-answers missed)."""
    false_positives = [text for text, is_labelled in CASES if not is_labelled and is_non_answer(text)]
    false_negatives = [text for text, is_labelled in CASES if is_labelled and not is_non_answer(text)]
    non_answers = sum(1 for _, is_labelled in CASES if is_labelled)
    true_positives = non_answers - len(false_negatives)
    flagged = true_positives + len(false_positives)
    precision = true_positives / flagged if flagged else 0.0
    recall = true_positives / non_answers if non_answers else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "version": NON_ANSWERS_VERSION,
        "answers": len(CASES),
        "non_answers": non_answers,
        "substantive": len(CASES) - non_answers,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "false_positives": false_positives,
        "false_negatives": false_negatives,
    }


if __name__ == "__main__":
    for name, value in measure().items():
        print(f"{name:>16}: {value}")
