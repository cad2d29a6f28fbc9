"""What a run finds before every answer is placed, in pieces over the workers: each question's
campaigns, then its themes.

A "campaigns" piece scans one range of a question's answers for copies (`campaigns.scan`: the
normalised texts, their MinHash signatures, the signatures cut into LSH band keys, the words'
frequencies) and keeps the scan on the run (`CampaignScan`, until the run finishes: a themes piece
delivered twice finds them again). Once every range is scanned, the question's "themes" piece
merges the scans into its campaigns (`campaigns.combine`, which compares only the texts that share
a band key, reading back only their signatures), finds and labels the themes on the originals
(`discover_question`) and saves both under the still-running run, with the sample's places
(`save_discovery`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from consult.analysis import campaigns as campaigns_lib
from consult.analysis import embedding as embedding_lib
from consult.analysis.near_copies import Scan
from consult.analysis.pipeline import Discovery, discover_question
from consult.analysis.types import AnswerText
from consult.models import AnalysisRun, Campaign, CampaignMember, CampaignScan, Question, Theme, ThemeAssignment
from consult.services import embeddings
from consult.services.bulk_rows import write_rows
from consult.services.run_claims import ClaimLost, owned
from consult.services.run_inputs import answer_texts, language_model, question_answer_ids, range_texts


def scan_campaigns(run: AnalysisRun, question_id: int, first: int, last: int, number: int) -> Callable[[], None]:
    """Scan a range of a question's answers for campaigns; return what keeps the scan."""
    found = campaigns_lib.scan(range_texts(question_id, first, last), screened=True)
    data, signatures = found.to_bytes(), found.signature_bytes()

    def write() -> None:
        CampaignScan.objects.create(run=run, question_id=question_id, number=number, data=data, signatures=signatures)

    return write


@dataclass
class Found:
    """A question's discovery, what saves it (`write`, under the run's lock), and the answers its
    placing pieces cover: all of them when the themes were found on a sample, none otherwise."""

    discovery: Discovery
    write: Callable[[], None]
    placing: list[int]
    # Seconds this piece spent merging the scans, finding the themes and labelling them.
    timings: dict[str, float]


def discover(run: AnalysisRun, question_id: int, last: int) -> Found:
    """Merge a question's scans into its campaigns, then find and label its themes on its answers
    up to `last` (the last one scanned: later arrivals are placed when the run finishes)."""
    question = Question.objects.get(pk=question_id)
    started = time.perf_counter()
    stored = CampaignScan.objects.filter(run=run, question_id=question_id).order_by("number")
    numbers: list[int] = []
    scans: list[Scan] = []
    for number, data in stored.values_list("number", "data").iterator(chunk_size=4):
        numbers.append(number)
        scans.append(Scan.from_bytes(bytes(data)))

    def scan_signatures(position: int) -> np.ndarray:
        data = stored.filter(number=numbers[position]).values_list("signatures", flat=True).get()
        return Scan.signatures_from_bytes(bytes(data))

    found = campaigns_lib.combine(
        scans,
        lambda ids: {answer_id: answer.text for answer_id, answer in answer_texts(list(ids)).items()},
        scan_signatures=scan_signatures,
    )
    del scans
    merging = time.perf_counter() - started
    embedder = embeddings.configured_embedder()
    ids = question_answer_ids(question_id, upto=last)
    discovery = discover_question(
        question.text,
        ids,
        found,
        lambda wanted: _in_order(wanted, answer_texts(wanted)),
        lambda wanted: embeddings.stored_vectors(wanted, embedder.name, embedder.dimensions),
        model=language_model(),
        max_themes=run.parameters["max_themes"],
        seed=run.parameters["seed"],
        encode=embedder.encode,
    )
    timings = {
        "campaign_merge": merging,
        "theme_discovery": discovery.timings.get("themes", 0.0),
        "labels": discovery.timings.get("labels", 0.0),
    }

    def write() -> None:
        save_discovery(run, question, discovery)

    return Found(discovery, write, ids if discovery.sample_rate < 1.0 and discovery.themes else [], timings)


def _in_order(ids: list[int], found: dict[int, AnswerText]) -> list[AnswerText]:
    return [found[answer_id] for answer_id in ids]


def save_discovery(run: AnalysisRun, question: Question, discovery: Discovery) -> None:
    """Write one question's themes, campaigns and the sample's places under the (still running)
    run. A question clustered whole is placed here entirely, campaign copies included."""
    with transaction.atomic():
        if not owned(run).select_for_update().exists():
            raise ClaimLost(f"analysis run {run.pk} was claimed by another execution")
        rows: dict[int, Theme] = {}
        for index, theme in enumerate(discovery.themes):
            row = Theme.objects.create(
                run=run,
                question=question,
                key=theme.key,
                label=theme.label,
                description=theme.description,
                label_source=theme.label_source.value,
                keywords=list(theme.keywords),
                answer_count=0,
                campaign_once_count=0,
                centroid=embedding_lib.to_bytes(discovery.centroids[index]),
                threshold=float(discovery.thresholds[index]),
            )
            row.representatives.set(theme.representative_ids)
            rows[theme.key] = row
        for campaign in discovery.campaigns:
            campaign_row = Campaign.objects.create(
                run=run,
                question=question,
                key=campaign.key,
                canonical_answer_id=campaign.canonical_id,
                member_count=campaign.count,
            )
            write_rows(
                CampaignMember,
                ["campaign_id", "answer_id", "addition"],
                ((campaign_row.pk, member, campaign.additions.get(member, "")) for member in campaign.member_ids),
            )
        placed = {assignment.answer_id: assignment.theme_keys for assignment in discovery.sample_assignments}
        if discovery.sample_rate >= 1.0:
            # Clustered whole: every copy takes its original's themes now.
            placed.update({copy: placed.get(original, []) for copy, original in discovery.copy_of.items()})
        write_rows(
            ThemeAssignment,
            ["theme_id", "answer_id", "rank", "is_late"],
            (
                (rows[key].pk, answer_id, rank, False)
                for answer_id, keys in placed.items()
                for rank, key in enumerate(keys)
            ),
        )
