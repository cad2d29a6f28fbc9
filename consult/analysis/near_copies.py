"""Which answers are near-copies of each other, found in parts: the mechanics under campaigns.

Answers are compared as sets of word shingles through MinHash. Each range of a question's answers
is scanned on its own (`scan`, a piece of work any worker can take): its distinct normalised texts,
each one's MinHash signature, the signature cut into the LSH bands datasketch's MinHashLSH chooses
with every band reduced to a 64-bit key, and each word's document frequency. The scans are then
merged (`merge`): texts that share a band key are candidates, and only the candidates' signatures
are read back (they are kept apart from the rest of a scan, `Scan.signature_bytes`), so that pairs
are compared exactly as an LSH index would compare them (`link`). Merging scans of any split of the
answers gives what one scan of all of them gives.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32
from datasketch.minhash import _SCHEME_WIDTHS, _fmix

from consult.analysis.non_answers import is_non_answer
from consult.analysis.types import AnswerText

# Many people independently write "No" or "I agree with this": answers shorter than this are
# never treated as copies of each other.
MIN_WORDS = 6
SHINGLE_WORDS = 3
# Below this length an edit of one word changes too large a share of the shingles, so the
# answer's words are added to its shingles to keep lightly edited short copies together.
SHORT_TEXT_WORDS = 20
# Texts whose shingles are permuted in one array operation: bounds the working memory (shingles x
# permutations x 8 bytes) whatever the number of texts.
SIGNATURE_BATCH_SHINGLES = 50_000

# Straight, curly (\u2019, \u2018) and grave apostrophes.
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_NOT_WORD = re.compile(r"[\W_]+")
# FNV-1a's 64-bit offset and prime, folding a band's values into one key.
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def normalise(text: str) -> str:
    """Text as compared for copying: lower case, no punctuation, single spaces.

    Apostrophes are dropped rather than spaced, so "don't" and "dont" are the same word.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", text)).split())


def shingles(words: list[str]) -> set[str]:
    """A text's word shingles (and, for a short text, its words)."""
    grams = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    if len(words) < SHORT_TEXT_WORDS:
        grams.update(words)
    return grams


def signatures(normalised: Sequence[str], *, num_perm: int, seed: int) -> np.ndarray:
    """Each text's MinHash signature (one row of `num_perm` values), equal to what datasketch's
    `MinHash(num_perm, seed)` gives after `update` with each of the text's shingles, but computed
    for a batch of texts in one array operation: a million answers take a minute, not ten. Each
    distinct shingle is hashed once."""
    reference = MinHash(num_perm=num_perm, seed=seed)
    # datasketch's own steps, as `MinHash.update_batch` takes them: its hash of each shingle mixed
    # by the scheme's finaliser, then each permutation a * h + b (wrapping at the scheme's width).
    multipliers, increments = reference.permutations
    width = _SCHEME_WIDTHS[reference.scheme]
    found = np.empty((len(normalised), num_perm), dtype=reference.hashvalues.dtype)
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
        found[batch_first:upto] = np.minimum.reduceat(permuted, starts, axis=0)

    for position, text in enumerate(normalised):
        for shingle in shingles(text.split()):
            value = hashed.get(shingle)
            if value is None:
                value = hashed[shingle] = sha1_hash32(shingle.encode())
            batch_hashes.append(value)
        batch_ends.append(len(batch_hashes))
        if len(batch_hashes) >= SIGNATURE_BATCH_SHINGLES:
            flush(position + 1)
            batch_hashes, batch_ends, batch_first = [], [], position + 1
    flush(len(normalised))
    return found


def band_ranges(threshold: float, num_perm: int) -> list[tuple[int, int]]:
    """The LSH bands (start, end of each) that datasketch's MinHashLSH chooses for `threshold`."""
    return list(MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges)


def band_keys(rows: np.ndarray, bands: list[tuple[int, int]]) -> np.ndarray:
    """One 64-bit key per band of each signature (FNV-1a over the band's values): texts whose
    signatures agree on a whole band share its key. Two different bands may share a key only by a
    chance of about one in 2^64, and even then only texts whose signatures agree closely are
    linked (`link` compares the signatures themselves)."""
    keys = np.empty((len(rows), len(bands)), dtype=np.uint64)
    for column, (start, end) in enumerate(bands):
        key = np.full(len(rows), _FNV_OFFSET, dtype=np.uint64)
        for position in range(start, end):
            key = (key ^ rows[:, position].astype(np.uint64)) * _FNV_PRIME
        keys[:, column] = key
    return keys


def _text_hash(normalised: str) -> int:
    return int.from_bytes(hashlib.blake2b(normalised.encode(), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class Scan:
    """What one range of a question's answers brings to finding its campaigns.

    One row per distinct normalised text of `MIN_WORDS` words or more that is not a non-answer:
    `hashes` (of the normalised text, so scans of other ranges recognise it), the id of the first
    answer that wrote it, how many answers in the range did, its number of words, its band keys
    and its MinHash signature (`signatures`: None in a scan read back by `from_bytes`, which
    leaves them out; they are stored apart, `signature_bytes`, and only candidates' are read).
    `answer_ids` are those answers, `answer_rows` the row of each one's text. `words` and
    `word_answers` count, for every word of the range's substantive answers (short ones included),
    the answers holding it; `answer_count` is how many substantive answers the range has.
    """

    hashes: np.ndarray
    first_ids: np.ndarray
    counts: np.ndarray
    word_counts: np.ndarray
    bands: np.ndarray
    answer_ids: np.ndarray
    answer_rows: np.ndarray
    words: list[str]
    word_answers: np.ndarray
    answer_count: int
    threshold: float
    num_perm: int
    seed: int
    signatures: np.ndarray | None = None

    def to_bytes(self) -> bytes:
        """The scan but its signatures."""
        buffer = io.BytesIO()
        np.savez(
            buffer,
            hashes=self.hashes,
            first_ids=self.first_ids,
            counts=self.counts,
            word_counts=self.word_counts,
            bands=self.bands,
            answer_ids=self.answer_ids,
            answer_rows=self.answer_rows,
            # Normalised words hold no whitespace: one newline-separated text holds them all.
            words=np.frombuffer("\n".join(self.words).encode(), dtype=np.uint8),
            word_answers=self.word_answers,
            numbers=np.array([self.answer_count, self.num_perm, self.seed], dtype=np.int64),
            threshold=np.array([self.threshold], dtype=np.float64),
        )
        return buffer.getvalue()

    def signature_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.save(buffer, self.signatures, allow_pickle=False)
        return buffer.getvalue()

    @staticmethod
    def signatures_from_bytes(data: bytes) -> np.ndarray:
        return np.load(io.BytesIO(data), allow_pickle=False)

    @classmethod
    def from_bytes(cls, data: bytes) -> Scan:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            words = stored["words"].tobytes().decode()
            answer_count, num_perm, seed = (int(value) for value in stored["numbers"])
            return cls(
                hashes=stored["hashes"],
                first_ids=stored["first_ids"],
                counts=stored["counts"],
                word_counts=stored["word_counts"],
                bands=stored["bands"],
                answer_ids=stored["answer_ids"],
                answer_rows=stored["answer_rows"],
                words=words.split("\n") if words else [],
                word_answers=stored["word_answers"],
                answer_count=answer_count,
                threshold=float(stored["threshold"][0]),
                num_perm=num_perm,
                seed=seed,
            )


def scan(answers: Sequence[AnswerText], *, threshold: float, num_perm: int, seed: int, screened: bool = False) -> Scan:
    """Scan a range of a question's answers (see `Scan`). `screened` says the non-answers were
    already left out (the run's own screening), so that they are not screened twice."""
    copies: dict[str, list[int]] = {}
    for answer in sorted(answers, key=lambda answer: answer.id):
        normalised = normalise(answer.text)
        if normalised and (screened or not is_non_answer(answer.text)):
            copies.setdefault(normalised, []).append(answer.id)
    frequency: Counter[str] = Counter()
    kept: list[str] = []
    answer_ids: list[int] = []
    answer_rows: list[int] = []
    for normalised, ids in copies.items():
        words = normalised.split()
        for word in set(words):
            frequency[word] += len(ids)
        if len(words) >= MIN_WORDS:
            answer_ids.extend(ids)
            answer_rows.extend([len(kept)] * len(ids))
            kept.append(normalised)
    rows = signatures(kept, num_perm=num_perm, seed=seed)
    return Scan(
        hashes=np.array([_text_hash(text) for text in kept], dtype=np.uint64),
        first_ids=np.array([copies[text][0] for text in kept], dtype=np.int64),
        counts=np.array([len(copies[text]) for text in kept], dtype=np.int64),
        word_counts=np.array([text.count(" ") + 1 for text in kept], dtype=np.int32),
        bands=band_keys(rows, band_ranges(threshold, num_perm)),
        answer_ids=np.array(answer_ids, dtype=np.int64),
        answer_rows=np.array(answer_rows, dtype=np.int64),
        words=list(frequency),
        word_answers=np.array(list(frequency.values()), dtype=np.int64),
        answer_count=sum(len(ids) for ids in copies.values()),
        threshold=threshold,
        num_perm=num_perm,
        seed=seed,
        signatures=rows,
    )


@dataclass
class Texts:
    """The distinct texts of every scan, ordered by their first answer's id (so that what is found
    does not depend on how the answers were split), with the answers that wrote each."""

    first_ids: np.ndarray
    counts: np.ndarray
    word_counts: np.ndarray
    bands: np.ndarray
    answer_ids: np.ndarray
    # The row (in this order) of each answer's text.
    answer_rows: np.ndarray
    document_frequency: Counter[str]
    answer_count: int
    threshold: float
    num_perm: int
    seed: int
    # Where each text's signature is: its scan, and its row there.
    scan_of: np.ndarray
    row_in_scan: np.ndarray

    def __len__(self) -> int:
        return len(self.first_ids)

    def ids_of(self, rows: Sequence[int]) -> dict[int, list[int]]:
        """The answers (ids, ascending) that wrote each of the texts at `rows`."""
        wanted = np.isin(self.answer_rows, np.asarray(rows, dtype=np.int64))
        found_rows, found_ids = self.answer_rows[wanted], self.answer_ids[wanted]
        order = np.lexsort((found_ids, found_rows))
        grouped: dict[int, list[int]] = {int(row): [] for row in rows}
        for row, answer_id in zip(found_rows[order].tolist(), found_ids[order].tolist(), strict=True):
            grouped[row].append(answer_id)
        return grouped


def merge(scans: Sequence[Scan]) -> Texts:
    """The scans of a question's ranges as one set of distinct texts: a text written in several
    ranges is one text, its first answer the earliest and its count the sum."""
    if not scans:
        raise ValueError("nothing to merge: no scans")
    first = scans[0]
    for other in scans[1:]:
        if (other.threshold, other.num_perm, other.seed) != (first.threshold, first.num_perm, first.seed):
            raise ValueError("scans made with different parameters cannot be merged")
    hashes = np.concatenate([part.hashes for part in scans])
    first_ids = np.concatenate([part.first_ids for part in scans])
    offsets = np.cumsum([0] + [len(part.hashes) for part in scans])
    answer_rows = np.concatenate([part.answer_rows + offset for part, offset in zip(scans, offsets, strict=False)])
    unique, inverse = np.unique(hashes, return_inverse=True)
    earliest = np.full(len(unique), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(earliest, inverse, first_ids)
    counts = np.bincount(inverse, weights=np.concatenate([part.counts for part in scans]), minlength=len(unique))
    # Equal texts have equal words and bands: take any row of each.
    any_row = np.empty(len(unique), dtype=np.int64)
    any_row[inverse] = np.arange(len(hashes))
    order = np.argsort(earliest, kind="stable")
    row_of_unique = np.empty(len(unique), dtype=np.int64)
    row_of_unique[order] = np.arange(len(unique))
    starts = np.asarray(offsets[:-1], dtype=np.int64)
    source = any_row[order]
    scan_of = np.searchsorted(starts, source, side="right") - 1
    frequency: Counter[str] = Counter()
    for part in scans:
        frequency.update(dict(zip(part.words, part.word_answers.tolist(), strict=True)))
    return Texts(
        first_ids=earliest[order],
        counts=counts[order].astype(np.int64),
        word_counts=np.concatenate([part.word_counts for part in scans])[any_row[order]],
        bands=np.concatenate([part.bands for part in scans])[any_row[order]],
        answer_ids=np.concatenate([part.answer_ids for part in scans]),
        answer_rows=row_of_unique[inverse[answer_rows]],
        document_frequency=frequency,
        answer_count=sum(part.answer_count for part in scans),
        threshold=first.threshold,
        num_perm=first.num_perm,
        seed=first.seed,
        scan_of=scan_of,
        row_in_scan=source - starts[scan_of],
    )


def signatures_of(texts: Texts, rows: Sequence[int], scan_signatures: Callable[[int], np.ndarray]) -> np.ndarray:
    """The signatures of the texts at `rows`, read from their scans: `scan_signatures(i)` gives
    the signatures of the i-th scan merged (each scan's are read once, one at a time)."""
    rows = np.asarray(rows, dtype=np.int64)
    found: np.ndarray | None = None
    scans = texts.scan_of[rows]
    for scan_number in np.unique(scans).tolist():
        held = scans == scan_number
        part = scan_signatures(scan_number)
        if found is None:
            found = np.empty((len(rows), part.shape[1]), dtype=part.dtype)
        found[held] = part[texts.row_in_scan[rows[held]]]
    return found if found is not None else np.zeros((0, texts.num_perm), dtype=np.uint32)


class UnionFind:
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


def link(texts: Texts, scan_signatures: Callable[[int], np.ndarray]) -> tuple[UnionFind, list[int]]:
    """Union texts whose estimated Jaccard similarity reaches the scans' threshold; return the
    groups and the texts that share a bucket with another (the only ones compared, whose
    signatures are read: `signatures_of`).

    Texts whose band keys agree share a bucket. Rather than query an index once per text (every
    member of a large campaign would return every other member: quadratic), each bucket is walked
    once, in the order an index filled in text order would hold it, and a text is compared only
    with one representative of each group already met in that bucket.
    """
    groups = UnionFind(len(texts))
    buckets = [bucket for column in range(texts.bands.shape[1]) for bucket in _buckets(texts.bands[:, column])]
    if not buckets:
        return groups, []
    candidates = sorted({member for bucket in buckets for member in bucket})
    rows = signatures_of(texts, candidates, scan_signatures)
    signature_of = {row: position for position, row in enumerate(candidates)}
    needed = texts.threshold * texts.num_perm

    def is_similar(first: int, second: int) -> bool:
        # MinHash's estimate of Jaccard similarity: the share of positions where signatures agree.
        return np.count_nonzero(rows[signature_of[first]] == rows[signature_of[second]]) >= needed

    for bucket in buckets:
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
    return groups, candidates


def _buckets(keys: np.ndarray) -> list[list[int]]:
    """The texts (rows, ascending) that share a band key, for each key at least two texts share;
    ordered by their first text, as an index filled in text order would hold them."""
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    shared = np.flatnonzero(counts >= 2)
    if not len(shared):
        return []
    members = np.flatnonzero(np.isin(inverse, shared))
    order = np.lexsort((members, first[inverse[members]]))
    members = members[order]
    grouped = inverse[members]
    cuts = np.flatnonzero(np.diff(grouped)) + 1
    return [part.tolist() for part in np.split(members, cuts)]
