"""Campaigns: many answers that are copies, or near-copies, of one text.

A campaign is shown to officials once, with its count, and what each supporter added to the
template is kept. Answers are compared as sets of word shingles through MinHash; datasketch's
MinHashLSH puts answers that are probably similar into shared buckets, and only answers that
share a bucket are compared, so the work grows with the number of answers, not its square.

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
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32
from datasketch.minhash import _SCHEME_WIDTHS, _fmix

from consult.analysis.non_answers import is_non_answer
from consult.analysis.types import AnswerText, Campaign

# Many people independently write "No" or "I agree with this": answers shorter than this are
# never treated as copies of each other.
MIN_WORDS = 6
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
SHINGLE_WORDS = 3
# Below this length an edit of one word changes too large a share of the shingles, so the
# answer's words are added to its shingles to keep lightly edited short copies together.
SHORT_TEXT_WORDS = 20
# A supporter's sentence at least this close to a template sentence (difflib's ratio over
# words) is the template sentence edited, not something added...
EDITED_SENTENCE_RATIO = 0.5
# ...unless the edit brings in a passage of this many new words in a row ("A computer program
# cannot do that, my mum would be lost without a person.").
NEW_PASSAGE_WORDS = 5
# A sentence whose word shingles mostly come from the template rearranges it, adding nothing.
REARRANGED_SHINGLE_SHARE = 0.8

# Straight, curly (\u2019, \u2018) and grave apostrophes.
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_NOT_WORD = re.compile(r"[\W_]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")


def normalise(text: str) -> str:
    """Text as compared for copying: lower case, no punctuation, single spaces.

    Apostrophes are dropped rather than spaced, so "don't" and "dont" are the same word.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", text)).split())


def _shingles(words: list[str]) -> set[str]:
    grams = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    if len(words) < SHORT_TEXT_WORDS:
        grams.update(words)
    return grams


def _sentences(text: str) -> list[str]:
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part.strip()]


@dataclass
class _Text:
    """One distinct normalised text and the answers that wrote it."""

    # The words are split again when needed rather than kept: as lists they would hold most of
    # the memory this module needs.
    normalised: str
    word_count: int
    answers: list[AnswerText]

    @property
    def words(self) -> list[str]:
        return self.normalised.split()

    @property
    def first_id(self) -> int:
        return self.answers[0].id


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, first: int, second: int) -> None:
        first, second = self.find(first), self.find(second)
        if first != second:
            # The smaller index becomes the root, so the result does not depend on pair order.
            self.parent[max(first, second)] = min(first, second)


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


class _Corpus:
    """The distinct texts that may belong to a campaign, and what rarity is judged against: each
    word's document frequency over the substantive answers, and their number. The frequencies are
    counted the first time a short text's rarity is judged: a million answers whose campaigns all
    have long texts never need them."""

    def __init__(self, texts: list[_Text], substantive: list[tuple[str, int]], answer_count: int) -> None:
        self.texts = texts
        self.answer_count = answer_count
        self._substantive = substantive  # (normalised text, how many answers wrote it)
        self._frequency: Counter[str] | None = None

    @property
    def document_frequency(self) -> Counter[str]:
        if self._frequency is None:
            frequency: Counter[str] = Counter()
            for normalised, written in self._substantive:
                for word in set(normalised.split()):
                    frequency[word] += written
            self._frequency = frequency
        return self._frequency

    def is_rare(self, text: _Text, members: list[_Text]) -> bool:
        """Whether `text`'s words are rare among the answers outside `members` (its campaign):
        the campaign's own copies do not count against it, only answers written otherwise do."""
        words = set(text.words)
        in_campaign: Counter[str] = Counter()
        for member in members:
            for word in words.intersection(member.words):
                in_campaign[word] += len(member.answers)
        others = self.answer_count - sum(len(member.answers) for member in members)
        if others < MIN_ANSWERS_TO_JUDGE_RARITY:
            return False
        others_frequency = Counter({word: self.document_frequency[word] - in_campaign[word] for word in words})
        return rarity(words, others_frequency, others) >= RARE_TEXT_RARITY


def _distinct_texts(answers: list[AnswerText], *, screened: bool = False) -> _Corpus:
    """The distinct normalised texts of `MIN_WORDS` words or more that are not non-answers, each
    with the answers that wrote it, and what the document frequencies of all substantive answers
    are counted from."""
    copies: dict[str, list[AnswerText]] = {}
    for answer in sorted(answers, key=lambda answer: answer.id):
        copies.setdefault(normalise(answer.text), []).append(answer)
    substantive: list[tuple[str, int]] = []
    answer_count = 0
    texts = []
    for normalised, written in copies.items():
        if not normalised or (not screened and is_non_answer(written[0].text)):
            continue
        substantive.append((normalised, len(written)))
        answer_count += len(written)
        word_count = normalised.count(" ") + 1
        if word_count >= MIN_WORDS:
            texts.append(_Text(normalised, word_count, written))
    # Ordered by their first answer's id, so the outcome does not depend on the input's order.
    return _Corpus(texts, substantive, answer_count)


def _link_near_duplicates(texts: list[_Text], *, threshold: float, num_perm: int, seed: int) -> _UnionFind:
    """Union texts whose estimated Jaccard similarity reaches `threshold`.

    The signatures are datasketch's MinHash (its permutations and its hash of each shingle),
    computed for many texts at once (`_signatures`), and the LSH bands are those datasketch's
    MinHashLSH chooses for `threshold` and `num_perm`: texts whose signatures agree on a whole band
    share a bucket. Rather than query an index once per text (every member of a large campaign
    would return every other member: quadratic), each bucket is walked once, in the order an index
    would hold them, and a text is compared only with one representative of each group already
    met in that bucket.
    """
    groups = _UnionFind(len(texts))
    if len(texts) < 2:
        return groups
    bands = MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges
    signatures = _signatures(texts, num_perm=num_perm, seed=seed)

    def is_similar(first: int, second: int) -> bool:
        # MinHash's estimate of Jaccard similarity: the share of positions where signatures agree.
        return np.count_nonzero(signatures[first] == signatures[second]) >= threshold * num_perm

    for start, end in bands:
        for bucket in _buckets(signatures[:, start:end]):
            representatives: list[int] = []
            for member in bucket:
                is_placed = False
                for representative in representatives:
                    if groups.find(member) == groups.find(representative):
                        is_placed = True
                    elif is_similar(member, representative):
                        groups.union(member, representative)
                        is_placed = True
                if not is_placed:
                    representatives.append(member)
                elif len(representatives) > 1:
                    # Keep one representative per group: unions may have merged some.
                    roots: dict[int, int] = {}
                    for representative in representatives:
                        roots.setdefault(groups.find(representative), representative)
                    representatives = list(roots.values())
    return groups


# Texts whose shingles are permuted in one array operation: bounds the working memory (shingles x
# permutations x 8 bytes) whatever the number of texts.
SIGNATURE_BATCH_SHINGLES = 50_000


def _signatures(texts: list[_Text], *, num_perm: int, seed: int) -> np.ndarray:
    """Each text's MinHash signature (one row of `num_perm` values), equal to what datasketch's
    `MinHash(num_perm, seed)` gives after `update` with each of the text's shingles, but computed
    for a batch of texts in one array operation: a million answers take a minute, not ten. Each
    distinct shingle is hashed once."""
    reference = MinHash(num_perm=num_perm, seed=seed)
    # datasketch's own steps, as `MinHash.update_batch` takes them: its hash of each shingle mixed
    # by the scheme's finaliser, then each permutation a * h + b (wrapping at the scheme's width).
    multipliers, increments = reference.permutations
    width = _SCHEME_WIDTHS[reference.scheme]
    signatures = np.empty((len(texts), num_perm), dtype=reference.hashvalues.dtype)
    hashed: dict[str, int] = {}
    batch_hashes: list[int] = []
    batch_ends: list[int] = []
    batch_first = 0

    def flush(upto: int) -> None:
        if not batch_ends:
            return
        values = _fmix(reference._hash_input_array(batch_hashes).reshape(-1, 1), width)
        permuted = values * multipliers + increments
        starts = np.concatenate(([0], np.asarray(batch_ends[:-1], dtype=np.int64)))
        signatures[batch_first:upto] = np.minimum.reduceat(permuted, starts, axis=0)

    for position, text in enumerate(texts):
        shingles = _shingles(text.words)
        for shingle in shingles:
            value = hashed.get(shingle)
            if value is None:
                value = hashed[shingle] = sha1_hash32(shingle.encode())
            batch_hashes.append(value)
        batch_ends.append(len(batch_hashes))
        if len(batch_hashes) >= SIGNATURE_BATCH_SHINGLES:
            flush(position + 1)
            batch_hashes, batch_ends, batch_first = [], [], position + 1
    flush(len(texts))
    return signatures


def _buckets(band: np.ndarray) -> list[list[int]]:
    """The texts (row numbers, ascending) that agree on every value of `band`, for each set of
    values at least two texts share; ordered by their first text, as an index filled in text order
    would hold them."""
    rows = np.ascontiguousarray(band).view(np.dtype((np.void, band.dtype.itemsize * band.shape[1]))).ravel()
    _, first, inverse, counts = np.unique(rows, return_index=True, return_inverse=True, return_counts=True)
    shared = np.flatnonzero(counts >= 2)
    if not len(shared):
        return []
    members = np.flatnonzero(np.isin(inverse, shared))
    order = np.lexsort((members, first[inverse[members]]))
    members = members[order]
    keys = inverse[members]
    cuts = np.flatnonzero(np.diff(keys)) + 1
    return [part.tolist() for part in np.split(members, cuts)]


def _canonical(members: list[_Text]) -> _Text:
    """The most copied text; among equals, the one holding most of the shingles that most
    members share, then the shortest, then the one written first."""
    total = sum(len(text.answers) for text in members)
    shingle_sets = [_shingles(text.words) for text in members]
    weight: Counter[str] = Counter()
    for text, shingles in zip(members, shingle_sets, strict=True):
        for shingle in shingles:
            weight[shingle] += len(text.answers)
    shared = {shingle for shingle, count in weight.items() if count * 2 > total}
    best = min(
        range(len(members)),
        key=lambda i: (
            -len(members[i].answers),
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


def find_campaigns(
    answers: list[AnswerText],
    *,
    threshold: float = 0.7,
    min_size: int = 3,
    num_perm: int = 128,
    seed: int = 1,
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
    million answers are not screened twice.
    """
    corpus = _distinct_texts(answers, screened=screened)
    texts = corpus.texts
    if sum(len(text.answers) for text in texts) < min_size:
        return []
    groups = _link_near_duplicates(texts, threshold=threshold, num_perm=num_perm, seed=seed)
    components: dict[int, list[_Text]] = defaultdict(list)
    for position, text in enumerate(texts):
        components[groups.find(position)].append(text)

    found: list[tuple[int, int, list[int], dict[int, str]]] = []
    for members in components.values():
        size = sum(len(text.answers) for text in members)
        if size < min_size:
            continue
        canonical = _canonical(members)
        if canonical.word_count < CAMPAIGN_MIN_WORDS and not corpus.is_rare(canonical, members):
            continue
        template = _Template(canonical.answers[0].text)
        additions: dict[int, str] = {}
        for text in members:
            if text is canonical:
                continue
            for answer in text.answers:
                added = template.added(answer.text)
                if added:
                    additions[answer.id] = added
        member_ids = sorted(answer.id for text in members for answer in text.answers)
        found.append((size, canonical.first_id, member_ids, additions))

    found.sort(key=lambda campaign: (-campaign[0], campaign[1]))
    return [
        Campaign(key=key, canonical_id=canonical_id, member_ids=member_ids, additions=additions)
        for key, (_size, canonical_id, member_ids, additions) in enumerate(found, start=1)
    ]
