"""Campaigns: many answers that are copies, or near-copies, of one text.

A campaign is shown to officials once, with its count, and what each supporter added to the
template is kept. Answers are compared as sets of word shingles through MinHash; datasketch's
MinHashLSH puts answers that are probably similar into shared buckets, and only answers that
share a bucket are compared, so the work grows with the number of answers, not its square. The
mechanics are in `near_copies`: a large question's answers are scanned in ranges on any worker
(`scan`) and the scans merged (`combine`), which finds what `find_campaigns` finds in one pass.

Only a text with enough distinctive content can be a campaign's: many people write "Nothing would
make me trust it." or "No" of their own accord, and counting them once would shrink the question's
base and flood moderation with copies. A campaign's most copied text qualifies when it has at least
`CAMPAIGN_MIN_WORDS` words, or at least `MIN_WORDS` and its words are rare among the answers
outside the campaign (see `rarity`). Non-answers ("Nothing further to add at this time, thank
you.") never join a campaign.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from consult.analysis import near_copies
from consult.analysis.near_copies import MIN_WORDS, SHINGLE_WORDS, Scan, normalise, shingles
from consult.analysis.types import AnswerText, Campaign

__all__ = ["MIN_WORDS", "combine", "find_campaigns", "normalise", "rarity", "scan"]

# From this length an identical or nearly identical text is not written twice by chance: twelve
# words in the same order carry enough content to be a template whatever they say.
CAMPAIGN_MIN_WORDS = 12
# Between MIN_WORDS and CAMPAIGN_MIN_WORDS a text is a campaign's only when its words are rare
# among the answers outside the campaign (`rarity` at least this). A generic sentence is built of words everyone
# in the consultation uses ("Nothing would make me trust it": would, make, me, trust, it) and
# scores about 0.3 to 0.5; a slogan names things nobody else does ("Scrap the robot assessor and
# hire more caseworkers") and scores 0.7 or more, its few common words ("the", "and") included.
RARE_TEXT_RARITY = 0.6
# Below this many other substantive answers, rarity cannot be told from chance, and a short text
# is left as an ordinary answer.
MIN_ANSWERS_TO_JUDGE_RARITY = 20
# A supporter's sentence at least this close to a template sentence (difflib's ratio over
# words) is the template sentence edited, not something added...
EDITED_SENTENCE_RATIO = 0.5
# ...unless the edit brings in a passage of this many new words in a row ("A computer program
# cannot do that, my mum would be lost without a person.").
NEW_PASSAGE_WORDS = 5
# A sentence whose word shingles mostly come from the template rearranges it, adding nothing.
REARRANGED_SHINGLE_SHARE = 0.8
# The defaults of `find_campaigns`, which a run's scans and their merge share.
THRESHOLD = 0.7
NUM_PERM = 128
SEED = 1

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")

# Texts of answers by id (redacted, as the run reads them).
TextsOf = Callable[[Sequence[int]], Mapping[int, str]]


def _sentences(text: str) -> list[str]:
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part.strip()]


@dataclass
class _Text:
    """One distinct normalised text of a possible campaign, and the answers that wrote it."""

    normalised: str
    word_count: int
    count: int
    first_id: int
    ids: list[int]

    @property
    def words(self) -> list[str]:
        return self.normalised.split()


def rarity(words: set[str], document_frequency: Counter[str], answer_count: int) -> float:
    """How rarely the other answers use `words`, from 0 (every one uses every word) to 1 (none
    uses any): the mean over the words of log((1 + n) / (1 + df)) / log(1 + n), the inverse
    document frequency scaled by its largest value so that one threshold holds for a question of
    forty answers as for one of forty thousand. `document_frequency` counts, for each word, the
    other answers holding it, and `answer_count` (n) is the number of other answers."""
    if not words or answer_count < 1:
        return 0.0
    scale = math.log(1 + answer_count)
    return sum(math.log((1 + answer_count) / (1 + document_frequency[word])) for word in words) / (scale * len(words))


def _is_rare(text: _Text, members: list[_Text], texts: near_copies.Texts) -> bool:
    """Whether `text`'s words are rare among the answers outside `members` (its campaign): the
    campaign's own copies do not count against it, only answers written otherwise do."""
    words = set(text.words)
    in_campaign: Counter[str] = Counter()
    for member in members:
        for word in words.intersection(member.words):
            in_campaign[word] += member.count
    others = texts.answer_count - sum(member.count for member in members)
    if others < MIN_ANSWERS_TO_JUDGE_RARITY:
        return False
    frequency = Counter({word: texts.document_frequency[word] - in_campaign[word] for word in words})
    return rarity(words, frequency, others) >= RARE_TEXT_RARITY


def _canonical(members: list[_Text]) -> _Text:
    """The most copied text; among equals, the one holding most of the shingles that most
    members share, then the shortest, then the one written first."""
    total = sum(text.count for text in members)
    shingle_sets = [shingles(text.words) for text in members]
    weight: Counter[str] = Counter()
    for text, held in zip(members, shingle_sets, strict=True):
        for shingle in held:
            weight[shingle] += text.count
    shared = {shingle for shingle, count in weight.items() if count * 2 > total}
    best = min(
        range(len(members)),
        key=lambda i: (
            -members[i].count,
            -len(shingle_sets[i] & shared),
            members[i].word_count,
            members[i].first_id,
        ),
    )
    return members[best]


class _Template:
    """The canonical text, prepared for asking which of a supporter's sentences came from it."""

    def __init__(self, text: str) -> None:
        words = normalise(text).split()
        self.normalised = f" {' '.join(words)} "
        self.shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
        self.sentences = [sentence_words for sentence_words in map(_sentence_words, _sentences(text)) if sentence_words]
        # Supporters share most of their sentences, so each distinct one is judged once.
        self._verdicts: dict[str, bool] = {}

    def has(self, sentence: str) -> bool:
        """Whether `sentence` appears in the template, is a template sentence lightly edited, or
        only rearranges the template's words."""
        words = _sentence_words(sentence)
        joined = " ".join(words)
        if joined not in self._verdicts:
            self._verdicts[joined] = self._has(words, joined)
        return self._verdicts[joined]

    def _has(self, words: list[str], joined: str) -> bool:
        if not words or f" {joined} " in self.normalised:
            return True
        if len(words) >= SHINGLE_WORDS:
            grams = [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]
            if sum(gram in self.shingles for gram in grams) >= REARRANGED_SHINGLE_SHARE * len(grams):
                return True
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(words)
        for template_words in self.sentences:
            matcher.set_seq1(template_words)
            # real_quick_ratio is an upper bound computed from lengths alone: a cheap way out.
            if matcher.real_quick_ratio() < EDITED_SENTENCE_RATIO or matcher.ratio() < EDITED_SENTENCE_RATIO:
                continue
            longest_new = max(
                (new_end - new_start for tag, _, _, new_start, new_end in matcher.get_opcodes() if tag != "equal"),
                default=0,
            )
            if longest_new < NEW_PASSAGE_WORDS:
                return True
        return False

    def added(self, text: str) -> str:
        """The sentences of `text` not in the template, joined with a space ("" when none)."""
        return " ".join(sentence for sentence in _sentences(text) if not self.has(sentence))


def _sentence_words(sentence: str) -> list[str]:
    return normalise(sentence).split()


def _signatures_in_memory(part: Scan) -> np.ndarray:
    if part.signatures is None:
        raise ValueError("this scan was read back without its signatures: pass scan_signatures")
    return part.signatures


def scan(answers: Sequence[AnswerText], *, screened: bool = False) -> Scan:
    """One range of a question's answers scanned for `combine` (a piece of a run, on any worker),
    with `find_campaigns`' defaults."""
    return near_copies.scan(answers, threshold=THRESHOLD, num_perm=NUM_PERM, seed=SEED, screened=screened)


def find_campaigns(
    answers: list[AnswerText],
    *,
    threshold: float = THRESHOLD,
    min_size: int = 3,
    num_perm: int = NUM_PERM,
    seed: int = SEED,
    screened: bool = False,
) -> list[Campaign]:
    """Group answers that copy one text, exactly or nearly, into campaigns.

    Two answers are copies when their normalised texts are equal, or when the Jaccard similarity
    of their word shingles, estimated by MinHash with `num_perm` permutations, reaches
    `threshold`; copying is transitive. Only answers with enough distinctive content join a
    campaign: its most copied text has at least `CAMPAIGN_MIN_WORDS` words, or at least
    `MIN_WORDS` words that are rare among the answers outside it (`RARE_TEXT_RARITY`); answers of
    fewer than `MIN_WORDS` words and non-answers never join one. Groups smaller than
    `min_size` answers are not campaigns.

    Each campaign's `canonical_id` is the first answer with its most copied text; `additions`
    holds, for each member that added sentences of its own, those sentences. Campaigns are
    keyed 1, 2, ... from the largest; the result is the same for the same answers and `seed`.
    `screened` says the non-answers were already left out (the run's own screening), so that a
    million answers are not screened twice. A run finds the same in parts: `scan` per range of
    answers, then `combine`.
    """
    part = near_copies.scan(answers, threshold=threshold, num_perm=num_perm, seed=seed, screened=screened)
    by_id = {answer.id: answer.text for answer in answers}
    return combine([part], lambda ids: {answer_id: by_id[answer_id] for answer_id in ids}, min_size=min_size)


def combine(
    scans: Sequence[Scan],
    texts_of: TextsOf,
    *,
    min_size: int = 3,
    scan_signatures: Callable[[int], np.ndarray] | None = None,
) -> list[Campaign]:
    """The campaigns of a question whose answers were scanned in ranges (`scan`), as
    `find_campaigns` finds them over all the answers at once. `texts_of` gives answers' texts by
    id: only those of campaigns' members are asked for. `scan_signatures(i)` gives the signatures
    of `scans[i]` when the scans were read back without them (`Scan.from_bytes`)."""
    texts = near_copies.merge(scans)
    if int(texts.counts.sum()) < min_size:
        return []
    groups, candidates = near_copies.link(
        texts, scan_signatures or (lambda number: _signatures_in_memory(scans[number]))
    )
    components: dict[int, list[int]] = defaultdict(list)
    for row in candidates:
        components[groups.find(row)].append(row)
    # A text no other resembles is a campaign of its own when enough answers wrote it word for word.
    compared = set(candidates)
    for row in (texts.counts >= min_size).nonzero()[0].tolist():
        if row not in compared:
            components[row].append(row)
    kept = [sorted(rows) for rows in components.values() if int(texts.counts[rows].sum()) >= min_size]
    if not kept:
        return []
    rows = [row for members in kept for row in members]
    first_texts = texts_of([int(texts.first_ids[row]) for row in rows])
    normalised = {row: normalise(first_texts[int(texts.first_ids[row])]) for row in rows}
    ids = texts.ids_of(rows)

    found: list[tuple[int, int, list[int], dict[int, str]]] = []
    for component in kept:
        members = [
            _Text(
                normalised[row],
                int(texts.word_counts[row]),
                int(texts.counts[row]),
                int(texts.first_ids[row]),
                ids[row],
            )
            for row in component
        ]
        canonical = _canonical(members)
        if canonical.word_count < CAMPAIGN_MIN_WORDS and not _is_rare(canonical, members, texts):
            continue
        copied = [answer_id for text in members if text is not canonical for answer_id in text.ids]
        written = texts_of(copied) if copied else {}
        template = _Template(first_texts[canonical.first_id])
        additions = {answer_id: added for answer_id in copied if (added := template.added(written[answer_id]))}
        member_ids = sorted(answer_id for text in members for answer_id in text.ids)
        found.append((len(member_ids), canonical.first_id, member_ids, additions))

    found.sort(key=lambda campaign: (-campaign[0], campaign[1]))
    return [
        Campaign(key=key, canonical_id=canonical_id, member_ids=member_ids, additions=additions)
        for key, (_size, canonical_id, member_ids, additions) in enumerate(found, start=1)
    ]
