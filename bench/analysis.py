"""Theme discovery against vanilla BERTopic, side by side on the same embeddings and machine.

    .venv/bin/python -m bench.analysis            # everything, about 10 minutes on 2 cores
    .venv/bin/python -m bench.analysis --quick    # 3,000 banking77 queries, the coarse set and the Polis sets

For banking77 (labelled), its coarse set (36 intents in 13 subject groups, labelled by group),
Polis Bowling Green and Polis Scoop biodiversity it measures: the first run (embedding + themes,
the number of themes chosen by the engine under the product's default ceiling), a re-run on the
embeddings stored under .cache/bench/, the engine with the fixed number of themes it used before
(the old cap), vanilla BERTopic (default settings, same embeddings, UMAP seeded), late assignment
of single answers, and a 100,000-answer run in a fresh process (the sets copied with words dropped
and swapped, embeddings recomputed). It prints a table and the themes found per set, and writes
them, with the machine, to .cache/bench/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import data as datasets
from bench.machine import PeakRss, describe, max_rss_mb
from bench.report import judge, render
from consult.analysis.embedding import Embedder, load_embedder
from consult.analysis.themes import ThemeModel, assign_answers, discover_themes
from consult.analysis.types import AnswerText

CACHE = datasets.ROOT / ".cache" / "bench"


def _cache_dir() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    # Like pytest's cache: the folder ignores itself, so embeddings never reach git.
    ignore = CACHE.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Written by bench/analysis.py: nothing here belongs in git.\n*\n")
    return CACHE


def embeddings_for(
    name: str, texts: list[str], embedder: Embedder, *, reuse: bool
) -> tuple[np.ndarray, float, bool, Path]:
    """The texts' embeddings, their (first-run) seconds, whether they came from the cache, and
    the cache file. Without `reuse` they are always computed, so the first run is measured."""
    digest = hashlib.sha256("\n".join([embedder.name, *texts]).encode()).hexdigest()[:16]
    slug = name.split(" ")[0]
    path = _cache_dir() / f"{slug}-{len(texts)}-{digest}.npy"
    meta = path.with_suffix(".json")
    if reuse and path.exists() and meta.exists():
        stored = json.loads(meta.read_text())
        return np.load(path), stored["seconds"], True, path
    clock = time.perf_counter()
    vectors = embedder.encode(texts)
    seconds = time.perf_counter() - clock
    np.save(path, vectors)
    meta.write_text(json.dumps({"model": embedder.name, "count": len(texts), "seconds": seconds}))
    return vectors, seconds, False, path


def _answers(texts: list[str]) -> list[AnswerText]:
    return [AnswerText(id=i, text=text) for i, text in enumerate(texts)]


def _primary(model: ThemeModel) -> np.ndarray:
    return np.array([a.theme_keys[0] if a.theme_keys else -1 for a in model.assignments])


def _agreement(dataset: datasets.Dataset, found: np.ndarray) -> dict[str, float | None]:
    """NMI and ARI against the human labels (and, for the coarse set, against banking77's intents);
    unassigned answers (-1) count as one more cluster."""
    scores = _scores(dataset.labels, found)
    if dataset.intents is not None:
        intents = _scores(dataset.intents, found)
        scores |= {"intents_nmi": intents["nmi"], "intents_ari": intents["ari"]}
    return scores


def _scores(labels: list[str] | None, found: np.ndarray) -> dict[str, float | None]:
    if labels is None:
        return {"nmi": None, "ari": None}
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {"nmi": normalized_mutual_info_score(labels, found), "ari": adjusted_rand_score(labels, found)}


def run_ours(
    dataset: datasets.Dataset,
    vectors: np.ndarray,
    seed: int,
    *,
    fixed: int | None = None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
) -> tuple[dict[str, Any], ThemeModel]:
    """The engine with the product's default range of themes, or with exactly `fixed` themes (as
    it ran before it chose the number: Ward merging down to a cap). With `encode`, themes that
    make the same point merge, as in a run."""
    bounds = {"min_themes": fixed, "max_themes": fixed} if fixed else {}
    with PeakRss() as memory:
        clock = time.perf_counter()
        model = discover_themes(_answers(dataset.texts), vectors, seed=seed, encode=encode, **bounds)
        seconds = time.perf_counter() - clock
    found = _primary(model)
    return {
        "method": f"consult, fixed {fixed} (before)" if fixed else "consult",
        "themes": len(model.themes),
        "fragments": model.cut.fragments,
        "silhouette": model.cut.silhouette,
        "near_identical": model.cut.near_identical,
        "same_point_merges": model.same_point_merges,
        "unassigned": model.unassigned_share,
        "with_secondary": sum(len(a.theme_keys) > 1 for a in model.assignments) / max(len(found), 1),
        "seconds": seconds,
        "stages": {k: v for k, v in model.timings.items() if k != "total"},
        "peak_mb": memory.peak_mb,
        **_agreement(dataset, found),
    }, model


class _TimedUmap:
    """Times vanilla BERTopic's UMAP alone (BERTopic accepts any reducer with fit/transform)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.seconds = 0.0

    def fit(self, X: np.ndarray, y: Any = None) -> _TimedUmap:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        clock = time.perf_counter()
        reduced = self.model.fit_transform(X)
        self.seconds = time.perf_counter() - clock
        return reduced

    def transform(self, X: np.ndarray) -> np.ndarray:
        return self.model.transform(X)


def run_vanilla(dataset: datasets.Dataset, vectors: np.ndarray, seed: int) -> dict[str, Any]:
    """BERTopic with its defaults on the same embeddings; only UMAP's seed is fixed (BERTopic's
    default UMAP settings otherwise), so that the baseline is reproducible."""
    from bertopic import BERTopic
    from umap import UMAP

    umap = _TimedUmap(UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed))
    with PeakRss() as memory, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        clock = time.perf_counter()
        topics, _ = BERTopic(embedding_model=None, umap_model=umap).fit_transform(dataset.texts, vectors)
        seconds = time.perf_counter() - clock
    found = np.asarray(topics)
    return {
        "method": "vanilla BERTopic",
        "themes": len(set(found.tolist()) - {-1}),
        "unassigned": float(np.mean(found == -1)),
        "with_secondary": 0.0,
        "seconds": seconds,
        "stages": {"umap": umap.seconds, "hdbscan + c-TF-IDF": seconds - umap.seconds},
        "peak_mb": memory.peak_mb,
        **_agreement(dataset, found),
    }


def warm_up(vectors: np.ndarray, seed: int) -> float:
    """Compile numba's code for UMAP, pynndescent and HDBSCAN once, outside every timing: a
    worker pays this once per process, not per run."""
    clock = time.perf_counter()
    rng = np.random.default_rng(seed)
    sample = vectors[rng.choice(len(vectors), size=min(len(vectors), 5000), replace=False)]
    texts = [f"answer {i}" for i in range(len(sample))]
    discover_themes(_answers(texts), sample, seed=seed)
    run_vanilla(datasets.Dataset("warm-up", texts, None, 40, ""), sample, seed)
    return time.perf_counter() - clock


def late_assignment(model: ThemeModel, embedder: Embedder, texts: list[str]) -> dict[str, float]:
    """Seconds for one late answer (embedding it and placing it), and the share that fits no theme."""
    encode, place, fits_none = [], [], 0
    for text in texts:
        clock = time.perf_counter()
        vector = embedder.encode([text])
        encode.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        keys = assign_answers(model, vector)[0]
        place.append(time.perf_counter() - clock)
        fits_none += not keys
    return {
        "answers": len(texts),
        "embed_ms": 1000 * float(np.median(encode)),
        "assign_ms": 1000 * float(np.median(place)),
        "fits_none": fits_none / len(texts),
    }


def _same(first: ThemeModel, second: ThemeModel) -> bool:
    return first.themes == second.themes and first.assignments == second.assignments


def run_scale(count: int, seed: int, reuse: bool, data: Path) -> dict[str, Any]:
    """The large run, in a fresh process so that its peak memory is its own."""
    out = _cache_dir() / f"scale-{count}.result.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.analysis", "--scale-child", str(count), "--seed", str(seed)]
    command += ["--data", str(data)]
    if reuse:
        command.append("--reuse-embeddings")
    subprocess.run(command, check=True, cwd=datasets.ROOT)  # noqa: S603 (our own module)
    return json.loads(out.read_text())


def scale_child(count: int, seed: int, reuse: bool, data: Path) -> None:
    """Runs inside the fresh process started by run_scale; writes its result as JSON."""
    sources = [datasets.banking77(data), *(datasets.polis(data, name) for name in datasets.POLIS)]
    texts = [t for s in sources for t in s.texts]
    labels = [label for s in sources for label in (s.labels or [None] * len(s.texts))]
    texts, labels = datasets.perturbed_copies(texts, labels, count, seed)
    clock = time.perf_counter()
    embedder = load_embedder()
    load_seconds = time.perf_counter() - clock
    vectors, embed_seconds, cached, path = embeddings_for(f"scale{count}", texts, embedder, reuse=reuse)
    clock = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = discover_themes(_answers(texts), vectors, seed=seed)
    themes_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    again = discover_themes(_answers(texts), np.load(path), seed=seed)
    rerun_seconds = time.perf_counter() - clock
    found = _primary(model)
    labelled = np.array([label is not None for label in labels])
    result = {
        "answers": count,
        "model_load_seconds": load_seconds,
        "embed_seconds": embed_seconds,
        "embeddings_from_cache": cached,
        "themes_seconds": themes_seconds,
        "rerun_seconds": rerun_seconds,
        "identical_rerun": _same(model, again),
        "stages": {k: v for k, v in model.timings.items() if k != "total"},
        "themes": len(model.themes),
        "unassigned": model.unassigned_share,
        "peak_mb": max_rss_mb(),
        **_scores([label for label in labels if label is not None], found[labelled]),
    }
    (_cache_dir() / f"scale-{count}.result.json").write_text(json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3,000 banking77 queries, no large run, cached embeddings")
    parser.add_argument("--scale", type=int, default=100_000, help="answers in the large run (0 skips it)")
    parser.add_argument("--reuse-embeddings", action="store_true", help="read embeddings from .cache/bench when there")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, default=datasets.DATA, help="the shared data folder (../shared/data)")
    parser.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Everything the benchmark loads is on this machine: never wait on the network for it.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    reuse = args.reuse_embeddings or args.quick

    absent = datasets.missing(args.data)
    if absent:
        print(f"Skipping the analysis benchmark: {', '.join(absent)} not found under {args.data}.")
        return 0
    if args.scale_child:
        scale_child(args.scale_child, args.seed, reuse, args.data)
        return 0

    report: dict[str, Any] = {
        "machine": describe(),
        "command": " ".join(["python -m bench.analysis", *(argv or sys.argv[1:])]),
    }
    sets = [
        datasets.banking77(args.data, limit=3000 if args.quick else None, seed=args.seed),
        datasets.banking77_coarse(args.data),
        *(datasets.polis(args.data, name) for name in datasets.POLIS),
    ]
    clock = time.perf_counter()
    embedder = load_embedder()
    report["model"], report["model_load_seconds"] = embedder.name, time.perf_counter() - clock

    embedded = {}
    for dataset in sets:
        embedded[dataset.name] = embeddings_for(dataset.name, dataset.texts, embedder, reuse=reuse)
        vectors, seconds, cached, _ = embedded[dataset.name]
        print(
            f"{dataset.name}: {len(vectors)} embeddings in {seconds:.1f} s{' (cached)' if cached else ''}", flush=True
        )
    report["warm_up_seconds"] = warm_up(embedded[sets[0].name][0], args.seed)

    report["sets"] = []
    models = {}
    for dataset in sets:
        vectors, embed_seconds, cached, path = embedded[dataset.name]
        ours, model = run_ours(dataset, vectors, args.seed, encode=embedder.encode)
        print(
            f"{dataset.name}: consult {ours['themes']} themes (of {ours['fragments']} clusters) in "
            f"{ours['seconds']:.1f} s",
            flush=True,
        )
        clock = time.perf_counter()
        again = discover_themes(_answers(dataset.texts), np.load(path), seed=args.seed, encode=embedder.encode)
        rerun_seconds = time.perf_counter() - clock
        before, _ = run_ours(dataset, vectors, args.seed, fixed=dataset.old_cap)
        print(f"{dataset.name}: consult with the old fixed cap, {before['themes']} themes", flush=True)
        vanilla = run_vanilla(dataset, vectors, args.seed)
        print(f"{dataset.name}: vanilla {vanilla['themes']} topics in {vanilla['seconds']:.1f} s", flush=True)
        models[dataset.name] = model
        report["sets"].append(
            {
                "name": dataset.name,
                "answers": len(dataset.texts),
                "embed_seconds": embed_seconds,
                "embeddings_from_cache": cached,
                "rerun_seconds": rerun_seconds,
                "identical": _same(model, again),
                "ours": ours,
                "before": before,
                "vanilla": vanilla,
            }
        )

    late_texts, _ = datasets.perturbed_copies(sets[0].texts[:200], [None] * 200, 400, args.seed)
    report["late"] = late_assignment(models[sets[0].name], embedder, late_texts[200:])
    if args.scale and not args.quick:
        print(f"{args.scale:,} answers in a fresh process…", flush=True)
        report["scale"] = run_scale(args.scale, args.seed, reuse, args.data)
    report["targets"] = judge(report)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = _cache_dir() / f"analysis-{stamp}.md"
    # The measurements first: a run of many minutes is not lost to a fault in the rendering.
    out.with_suffix(".json").write_text(json.dumps(report, indent=2, default=float))
    text = render(report)
    print("\n" + text)
    out.write_text(text)
    print(f"Written to {out.relative_to(datasets.ROOT)} (and .json beside it).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
