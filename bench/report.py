"""The benchmark's results as Markdown, and each target met or missed."""

from __future__ import annotations

from typing import Any

TARGETS = {"nmi": 0.80, "ari": 0.50, "unassigned": 0.10, "time_vs_vanilla": 1.2, "rerun_share": 1 / 3}
SCALE_TARGETS = {"seconds": 600, "memory_mb": 4096}


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def render(report: dict[str, Any]) -> str:
    """The results as Markdown, ready for docs/benchmarks.md."""
    machine = report["machine"]
    lines = [
        f"Run {machine['date']} with `{report['command']}`",
        "",
        f"Machine: {machine['cpu']}, {machine['nproc']} cores (nproc), {machine['memory_gb']} GB memory; "
        f"Python {machine['python']}; " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()) + ".",
        f"Embedding model: {report['model']} (loaded in {report['model_load_seconds']:.1f} s); numba warm-up "
        f"{report['warm_up_seconds']:.0f} s, once per process, outside every timing below.",
        "",
        "| set | answers | method | themes | unassigned | 2+ themes | NMI | ARI | seconds | answers/s | peak RSS MB "
        "| stages (s) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in report["sets"]:
        for result in (row["ours"], row.get("before"), row["vanilla"]):
            if result is None:
                continue
            stages = ", ".join(f"{k} {v:.1f}" for k, v in result["stages"].items())
            lines.append(
                f"| {row['name']} | {row['answers']} | {result['method']} | {result['themes']} | "
                f"{result['unassigned']:.1%} | {result['with_secondary']:.1%} | {_fmt(result['nmi'])} | "
                f"{_fmt(result['ari'])} | "
                f"{result['seconds']:.1f} | {row['answers'] / result['seconds']:.0f} | "
                f"{result['peak_mb']:.0f} | {stages} |"
            )
    lines += [
        "",
        "| set | embedding s (first run) | themes s | first run s | re-run s (cached embeddings) | re-run / first | "
        "identical re-run | consult / vanilla time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for row in report["sets"]:
        first = row["embed_seconds"] + row["ours"]["seconds"]
        cached = " (from cache)" if row["embeddings_from_cache"] else ""
        lines.append(
            f"| {row['name']} | {row['embed_seconds']:.1f}{cached} | {row['ours']['seconds']:.1f} | {first:.1f} | "
            f"{row['rerun_seconds']:.1f} | {row['rerun_seconds'] / first:.2f} | "
            f"{'yes' if row['identical'] else 'NO'} | "
            f"{row['ours']['seconds'] / row['vanilla']['seconds']:.2f} |"
        )
    lines += ["", *themes_found(report)]
    late = report["late"]
    lines += [
        "",
        f"Late answers ({late['answers']} banking77 queries with words dropped and swapped, one at a time): "
        f"embedding {late['embed_ms']:.1f} ms and assignment {late['assign_ms']:.2f} ms each (medians); "
        f"{late['fits_none']:.1%} fit no theme.",
    ]
    scale = report.get("scale")
    if scale:
        total = scale["embed_seconds"] + scale["themes_seconds"]
        lines += [
            "",
            f"{scale['answers']:,} answers (all three sets copied, words dropped and swapped, embeddings "
            f"recomputed{' — read from cache this time' if scale['embeddings_from_cache'] else ''}), fresh process: "
            f"embedding {scale['embed_seconds']:.0f} s + themes {scale['themes_seconds']:.0f} s = {total:.0f} s "
            f"({scale['answers'] / total:.0f} answers/s); re-run on stored embeddings {scale['rerun_seconds']:.0f} s "
            f"(identical: {'yes' if scale['identical_rerun'] else 'NO'}); peak RSS of the whole process "
            f"(ru_maxrss, model included) {scale['peak_mb']:.0f} MB; {scale['themes']} themes, "
            f"{scale['unassigned']:.1%} unassigned; NMI {_fmt(scale['nmi'])} / ARI {_fmt(scale['ari'])} on its "
            f"banking77 part. Stages: " + ", ".join(f"{k} {v:.1f}" for k, v in scale["stages"].items()) + ".",
        ]
    lines += ["", "Targets:", ""] + [f"- {line}" for line in report["targets"]]
    return "\n".join(lines) + "\n"


def themes_found(report: dict[str, Any]) -> list[str]:
    """The number of themes found per set, how it was chosen, and what the old fixed cap gave."""
    lines = [
        "Themes found (consult: HDBSCAN's clusters merged by Ward, cut where the silhouette is highest "
        "among coherent cuts, under the default ceiling; before: the same engine merging down to a fixed cap):",
        "",
        "| set | answers | consult themes | HDBSCAN clusters | silhouette | near-identical merged | NMI / ARI "
        "| before: themes | NMI / ARI | vanilla topics |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: |",
    ]
    for row in report["sets"]:
        ours, before, vanilla = row["ours"], row.get("before") or {}, row["vanilla"]
        lines.append(
            f"| {row['name']} | {row['answers']} | {ours['themes']} | {ours.get('fragments', 'n/a')} | "
            f"{_fmt(ours.get('silhouette'))} | {ours.get('near_identical', 'n/a')} | "
            f"{_fmt(ours['nmi'])} / {_fmt(ours['ari'])} | {before.get('themes', 'n/a')} | "
            f"{_fmt(before.get('nmi'))} / {_fmt(before.get('ari'))} | {vanilla['themes']} |"
        )
    for row in report["sets"]:
        if "intents_nmi" in row["ours"]:
            before = row.get("before") or {}
            lines += [
                "",
                f"{row['name']} against banking77's own intents instead of the groups: consult NMI "
                f"{_fmt(row['ours']['intents_nmi'])} / ARI {_fmt(row['ours']['intents_ari'])}; before "
                f"{_fmt(before.get('intents_nmi'))} / {_fmt(before.get('intents_ari'))}.",
            ]
    return lines


def judge(report: dict[str, Any]) -> list[str]:
    """Each target, met or missed, in words."""
    verdicts = []

    def verdict(ok: bool, text: str) -> None:
        verdicts.append(f"{'met' if ok else 'MISSED'}: {text}")

    bank = next(row for row in report["sets"] if row["name"].startswith("banking77"))
    ours, vanilla = bank["ours"], bank["vanilla"]
    scope = "" if bank["name"] == "banking77" else " (subset only: the targets are for the full set)"
    told = f"{ours['themes']} themes, not told 77"
    verdict(
        ours["nmi"] >= TARGETS["nmi"],
        f"banking77 NMI {ours['nmi']:.3f} ≥ {TARGETS['nmi']} ({told}; vanilla {vanilla['nmi']:.3f}){scope}",
    )
    verdict(
        ours["ari"] >= TARGETS["ari"],
        f"banking77 ARI {ours['ari']:.3f} ≥ {TARGETS['ari']} ({told}; vanilla {vanilla['ari']:.3f}){scope}",
    )
    coarse = next((row for row in report["sets"] if row["name"].startswith("coarse")), None)
    if coarse:
        verdict(
            coarse["ours"]["themes"] < ours["themes"],
            f"fewer themes on the coarse set than on banking77 ({coarse['ours']['themes']} against {ours['themes']})",
        )
    for row in report["sets"]:
        verdict(
            row["ours"]["unassigned"] <= TARGETS["unassigned"],
            f"{row['name']}: {row['ours']['unassigned']:.1%} unassigned ≤ 10%",
        )
    ratio = ours["seconds"] / vanilla["seconds"]
    verdict(ratio <= TARGETS["time_vs_vanilla"], f"banking77 themes take {ratio:.2f} times vanilla's time ≤ 1.2")
    first = bank["embed_seconds"] + ours["seconds"]
    verdict(
        bank["rerun_seconds"] <= first * TARGETS["rerun_share"],
        f"banking77 re-run on stored embeddings {bank['rerun_seconds']:.1f} s ≤ a third of the first run "
        f"(embedding + themes, {first:.1f} s)",
    )
    verdict(all(row["identical"] for row in report["sets"]), "every re-run gave identical themes and assignments")
    scale = report.get("scale")
    if scale:
        total = scale["embed_seconds"] + scale["themes_seconds"]
        verdict(total < SCALE_TARGETS["seconds"], f"{scale['answers']:,} answers analysed in {total:.0f} s < 600 s")
        verdict(
            scale["peak_mb"] < SCALE_TARGETS["memory_mb"],
            f"{scale['answers']:,} answers within {scale['peak_mb']:.0f} MB < 4 GB",
        )
    return verdicts
