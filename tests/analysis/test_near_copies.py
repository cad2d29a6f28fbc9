"""The mechanics under campaigns: MinHash signatures exactly as datasketch's, and answers scanned in
ranges then merged giving what one pass over all of them gives."""

import random

import numpy as np
import pytest

from consult.analysis.campaigns import find_campaigns
from consult.analysis.types import AnswerText
from tests.analysis.campaign_texts import (
    LETTER,
    SECOND_LETTER,
    VARIED_ANSWERS,
    answers_from,
    campaign_answers,
    varied_trust_answers,
)


def test_signatures_are_datasketchs_minhash_whatever_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The signatures computed many texts at a time are exactly those of datasketch's MinHash fed
    the same shingles, also when a batch ends in the middle of the texts."""
    from datasketch import MinHash

    from consult.analysis.near_copies import normalise, shingles, signatures

    written = [
        "I do not trust a computer to decide my benefits",
        "A person should check every decision before it is sent",
        "short one",
        "The tool should be tested on real cases before anyone relies on it, and the results published",
    ] * 5
    texts = [normalise(text) for text in written]
    monkeypatch.setattr("consult.analysis.near_copies.SIGNATURE_BATCH_SHINGLES", 7)
    rows = signatures(texts, num_perm=64, seed=3)
    for row, text in zip(rows, texts, strict=True):
        minhash = MinHash(num_perm=64, seed=3)
        for shingle in shingles(text.split()):
            minhash.update(shingle.encode())
        assert list(row) == list(minhash.hashvalues)
    assert len({tuple(row) for row in rows}) == 4


def _mixed_answers() -> list[AnswerText]:
    """Two letter campaigns with edits and additions, a short slogan (judged by its rarity among
    the others), generic short answers and varied ones, shuffled so that copies of each text fall
    in many ranges of ids."""
    letters, _ = campaign_answers()
    slogan = "Scrap the robot assessor and hire more caseworkers now."
    texts = [answer.text for answer in letters] + [SECOND_LETTER] * 6 + [slogan] * 20 + [slogan + "!"] * 5
    texts += ["Nothing would make me trust it."] * 9 + varied_trust_answers(150) + VARIED_ANSWERS
    random.Random(11).shuffle(texts)
    return answers_from(texts)


@pytest.mark.parametrize("ranges", [2, 3, 7, 40])
def test_campaigns_combined_from_scans_of_ranges_are_those_found_at_once(ranges: int) -> None:
    from consult.analysis.campaigns import combine, scan
    from consult.analysis.near_copies import Scan

    answers = _mixed_answers()
    by_id = {answer.id: answer.text for answer in answers}
    size = -(-len(answers) // ranges)
    # As a run keeps them: each scan stored as bytes, its signatures apart, read back by the piece
    # that merges them.
    made = [scan(answers[start : start + size]) for start in range(0, len(answers), size)]
    scans = [Scan.from_bytes(part.to_bytes()) for part in made]
    stored = [part.signature_bytes() for part in made]
    read: list[int] = []

    def scan_signatures(number: int) -> np.ndarray:
        read.append(number)
        return Scan.signatures_from_bytes(stored[number])

    combined = combine(
        scans, lambda ids: {answer_id: by_id[answer_id] for answer_id in ids}, scan_signatures=scan_signatures
    )

    expected = find_campaigns(answers)
    assert combined == expected
    assert len(read) == len(set(read))  # each scan's signatures read once at most
    with pytest.raises(ValueError, match="without its signatures"):
        combine(scans, lambda ids: {answer_id: by_id[answer_id] for answer_id in ids})
    assert [campaign.count for campaign in expected] == [35, 25, 6]


def test_only_texts_that_resemble_another_are_read_again_when_scans_are_combined() -> None:
    from consult.analysis.campaigns import combine, scan

    letters, _ = campaign_answers()
    answers = (
        letters + answers_from(VARIED_ANSWERS, first_id=100) + answers_from(varied_trust_answers(60), first_id=200)
    )
    by_id = {answer.id: answer.text for answer in answers}
    asked: set[int] = set()

    def texts_of(ids: list[int]) -> dict[int, str]:
        asked.update(ids)
        return {answer_id: by_id[answer_id] for answer_id in ids}

    (campaign,) = combine([scan(answers[:50]), scan(answers[50:])], texts_of)

    assert campaign.member_ids == list(range(1, 36))
    # Neither the varied answers nor the letter's verbatim copies (judged by their first) are read.
    assert not asked & set(range(100, 200))
    assert asked < set(campaign.member_ids) | set(range(200, 260))
    assert len(asked) < len(answers) / 3


def test_scans_made_with_different_parameters_are_not_merged() -> None:
    from consult.analysis.near_copies import merge, scan

    answers = answers_from([LETTER] * 4)
    with pytest.raises(ValueError, match="different parameters"):
        merge(
            [
                scan(answers[:2], threshold=0.7, num_perm=128, seed=1),
                scan(answers[2:], threshold=0.7, num_perm=128, seed=2),
            ]
        )
