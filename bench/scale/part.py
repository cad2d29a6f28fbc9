"""One measurement of `make bench-scale`, in a process of its own (each has its own database
settings): build the data if the database does not hold it yet, start the Celery workers, run the
analysis through the real task path and report what it took. See bench/scale/__main__.py."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.scale.data import QUESTION, SMALL_VIEW, columns, full_row, load_texts, rows

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--embedding-only", action="store_true", help="measure embedding throughput instead")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = embedding_throughput(args.answers) if args.embedding_only else analyse(args.answers, args.workers)
    args.output.write_text(json.dumps(result, indent=2))


def _say(message: str) -> None:
    print(f"[bench-scale {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Data --------------------------------------------------------------------------------------


def build(count: int, slug: str, *, embedded: bool = True) -> Any:
    """The consultation `slug` with `count` answers, built unless the database already holds it."""
    from django.db import connection, transaction
    from django.utils import timezone

    from consult.analysis import non_answers, redaction
    from consult.models import Answer, AnswerEmbedding, Consultation, Department, Question, Response
    from consult.services import embeddings
    from consult.services.bulk_rows import write_rows

    existing = Consultation.objects.filter(slug=slug).first()
    if existing and Answer.objects.filter(question__consultation=existing).count() == count:
        _say(f"reusing {count:,} answers of {slug}")
        return existing
    if existing:
        Answer.objects.filter(question__consultation=existing).delete()
        Response.objects.filter(consultation=existing).delete()
        existing.delete()
    started = time.perf_counter()
    embedder = embeddings.configured_embedder()
    texts = load_texts(embedder)
    department, _ = Department.objects.get_or_create(slug="bench-scale", defaults={"name": "Benchmark department"})
    now = timezone.now()
    consultation = Consultation.objects.create(
        slug=slug,
        title=f"Benchmark: {count:,} answers",
        department=department,
        summary="Generated for make bench-scale.",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    question = Question.objects.create(
        consultation=consultation, position=1, text=QUESTION, kind=Question.Kind.FREE_TEXT
    )
    response_id = (Response.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    answer_id = (Answer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    kinds: dict[int, str] = {}
    non_answer = {text: non_answers.is_non_answer(text) for text in set(_non_answer_texts())}
    for batch in rows(texts, count):
        with transaction.atomic():
            write_rows(
                Response,
                columns(Response),
                (
                    full_row(
                        Response,
                        {
                            "id": response_id + i,
                            "reference": f"S-{response_id + i}",
                            "consultation": consultation.pk,
                            "status": Response.Status.SUBMITTED,
                            "respondent_type": Response.RespondentType.INDIVIDUAL,
                            "start_key": f"scale-{response_id + i}",
                            "submitted_at": now,
                        },
                        now,
                    )
                    for i in range(len(batch))
                ),
            )
            write_rows(
                Answer,
                columns(Answer),
                (
                    full_row(
                        Answer,
                        {
                            "id": answer_id + i,
                            "response": response_id + i,
                            "question": question.pk,
                            "text": row.text,
                            "redacted_text": row.text,
                            "redaction_version": redaction.REDACTION_VERSION,
                            "language": "en",
                            "non_answer_detected": non_answer.get(row.text, False),
                            "non_answer_version": non_answers.NON_ANSWERS_VERSION,
                        },
                        now,
                    )
                    for i, row in enumerate(batch)
                ),
            )
            if embedded:
                write_rows(
                    AnswerEmbedding,
                    columns(AnswerEmbedding),
                    (
                        full_row(
                            AnswerEmbedding,
                            {
                                "id": answer_id + i,
                                "answer": answer_id + i,
                                "model_name": embedder.name,
                                "dimensions": embedder.dimensions,
                                "vector": row.vector.astype("<f4").tobytes(),
                                "text_hash": embeddings.text_hash(row.text),
                            },
                            now,
                        )
                        for i, row in enumerate(batch)
                    ),
                )
        kinds.update({answer_id + i: row.kind for i, row in enumerate(batch) if row.kind == "small view"})
        response_id += len(batch)
        answer_id += len(batch)
        _say(f"built {answer_id - 1:,} answers")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Response, Answer, AnswerEmbedding):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608
            cursor.execute("ANALYZE")
    (Path(os.environ.get("BENCH_SCALE_CACHE", ROOT / ".cache" / "bench-scale")) / f"{slug}-small-view.json").write_text(
        json.dumps(sorted(kinds))
    )
    _say(f"built {count:,} answers in {time.perf_counter() - started:.0f} s")
    return consultation


def _non_answer_texts() -> list[str]:
    from bench.scale.data import NON_ANSWERS, TEMPLATE

    return [*NON_ANSWERS, TEMPLATE]


# --- Workers and memory ----------------------------------------------------------------------------


# Each worker is one process on one of the machine's cores: its numerical libraries use one thread,
# so that two workers do not each spin two threads on two cores.
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


class Workers:
    """`count` Celery workers, one process each, on the given queues; the peak resident memory of
    every process of theirs, sampled twice a second."""

    def __init__(self, count: int, queues: str) -> None:
        self.processes = [
            subprocess.Popen(  # noqa: S603 (our own worker command)
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=WARNING",
                    f"--queues={queues}",
                    "--concurrency=1",
                    f"--hostname=bench{n}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env={**os.environ, **ONE_THREAD},
                start_new_session=True,
            )
            for n in range(count)
        ]
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.5):
            for process in self.processes:
                try:
                    parent = psutil.Process(process.pid)
                    for each in [parent, *parent.children(recursive=True)]:
                        rss = each.memory_info().rss / 2**30
                        self.peaks[each.pid] = max(self.peaks.get(each.pid, 0.0), rss)
                except psutil.Error:
                    continue

    def stop(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self._stop.set()
        self._thread.join(timeout=5)


def _purge_queues() -> None:
    from config.celery import app

    app.control.purge()


# --- The analysis ------------------------------------------------------------------------------------


def analyse(count: int, worker_count: int) -> dict[str, Any]:
    from django.db import connection

    from consult.models import (
        AnalysisRun,
        CampaignMember,
        Flag,
        SubTheme,
        SubThemeAssignment,
        Theme,
        ThemeAssignment,
    )
    from consult.services import runs

    slug = f"scale-{count}"
    consultation = build(count, slug)
    AnalysisRun.objects.filter(consultation=consultation).delete()
    Flag.objects.filter(answer__question__consultation=consultation).delete()
    _purge_queues()
    workers = Workers(worker_count, "analysis,embedding")
    try:
        time.sleep(8)  # the workers start and load Django
        started = time.perf_counter()
        run = runs.request_analysis(consultation)
        timeline: list[tuple[float, str, int]] = []
        while True:
            run.refresh_from_db()
            if not timeline or timeline[-1][1] != run.stage:
                timeline.append((round(time.perf_counter() - started, 1), run.stage, run.progress))
                _say(f"{timeline[-1][0]:>7.1f} s  {run.stage} ({run.progress}%)")
            if run.is_finished:
                break
            time.sleep(0.5)
        wall = time.perf_counter() - started
    finally:
        workers.stop()
    if run.status != AnalysisRun.Status.SUCCEEDED:
        raise SystemExit(f"the run failed: {run.error}")
    themes = Theme.objects.filter(run=run)
    sub_themes = SubTheme.objects.filter(run=run)
    planted = set(json.loads((Path(ROOT / ".cache" / "bench-scale") / f"{slug}-small-view.json").read_text()))
    return {
        "answers": count,
        "database": connection.vendor,
        "workers": worker_count,
        "wall_seconds": round(wall, 1),
        "timings": run.timings,
        "timeline": timeline,
        "peak_gb": sorted((round(peak, 2) for peak in workers.peaks.values()), reverse=True),
        "rows": {
            "theme assignments": ThemeAssignment.objects.filter(theme__run=run).count(),
            "sub-theme assignments": SubThemeAssignment.objects.filter(sub_theme__run=run).count(),
            "campaign members": CampaignMember.objects.filter(campaign__run=run).count(),
            "flags": Flag.objects.filter(answer__question__consultation=consultation).count(),
            "themes": themes.count(),
            "sub-themes": sub_themes.count(),
        },
        "campaigns": [
            (campaign.member_count, campaign.key) for campaign in run.campaigns.order_by("-member_count")[:5]
        ],
        "small_view": _best_match(run, planted),
        "themes": [
            (theme.key, theme.label, theme.answer_count, theme.sub_themes.count()) for theme in themes.order_by("key")
        ],
    }


def _best_match(run: Any, planted: set[int]) -> dict[str, Any]:
    """The theme or sub-theme that best holds the planted small view: its label, precision, recall."""
    from django.db.models import Count

    from consult.models import SubThemeAssignment, ThemeAssignment

    best: dict[str, Any] = {"f1": 0.0, "planted": len(planted), "intent": SMALL_VIEW}
    ids = sorted(planted)
    candidates = [
        ("theme", ThemeAssignment.objects.filter(theme__run=run, rank=0), "theme"),
        ("sub-theme", SubThemeAssignment.objects.filter(sub_theme__run=run), "sub_theme"),
    ]
    for kind, rows_of, key in candidates:
        overlap = dict(rows_of.filter(answer_id__in=ids).values(key).annotate(n=Count("pk")).values_list(key, "n"))
        for group_id, shared in overlap.items():
            size = rows_of.filter(**{key: group_id}).count()
            precision, recall = shared / size, shared / len(planted)
            f1 = 2 * precision * recall / (precision + recall)
            if f1 > best["f1"]:
                model = rows_of.model._meta.get_field(key).related_model
                best = {
                    **best,
                    "f1": round(f1, 3),
                    "kind": kind,
                    "label": model.objects.get(pk=group_id).label,
                    "size": size,
                    "precision": round(precision, 3),
                    "recall": round(recall, 3),
                }
    return best


def embedding_throughput(count: int) -> dict[str, Any]:
    """Answers embedded per second by the `embedding` queue with one worker, then two."""
    from consult.models import Answer, AnswerEmbedding
    from consult.services import embeddings

    consultation = build(count, f"scale-embedding-{count}", embedded=False)
    ids = list(Answer.objects.filter(question__consultation=consultation).values_list("pk", flat=True))
    found: dict[str, Any] = {"answers": count, "task_size": _setting("EMBEDDING_TASK_SIZE")}
    for worker_count in (1, 2):
        AnswerEmbedding.objects.filter(answer_id__in=ids).delete()
        _purge_queues()
        workers = Workers(worker_count, "embedding")
        try:
            time.sleep(8)
            started = time.perf_counter()
            queued = embeddings.queue_embeddings(consultation.pk)
            while AnswerEmbedding.objects.filter(answer__question__consultation=consultation).count() < queued:
                time.sleep(0.5)
            seconds = time.perf_counter() - started
        finally:
            workers.stop()
        found[f"{worker_count} worker"] = {
            "seconds": round(seconds, 1),
            "per_second": round(queued / seconds, 1),
            "peak_gb": max(workers.peaks.values(), default=0.0),
        }
        _say(f"{worker_count} embedding worker(s): {queued:,} answers in {seconds:.1f} s")
    return found


def _setting(name: str) -> Any:
    from django.conf import settings

    return getattr(settings, name, None)


if __name__ == "__main__":
    main()
