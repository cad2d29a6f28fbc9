"""consult/analysis is pure Python: importing all of it loads no Django, and no heavy library
until a function needs it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_every_analysis_module_loads_no_django():
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "consult" / "analysis").rglob("*.py")
        if path.name != "__init__.py"
    )
    assert modules, "no analysis modules found"
    script = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + (
            "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
            "print(','.join(loaded))\n"
            "heavy = ('torch', 'bertopic', 'sentence_transformers', 'umap', 'hdbscan')\n"
            "print(','.join(sorted(m for m in heavy if m in sys.modules)))\n"
            "print(','.join(heavy))\n"
        )
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    django_modules, heavy_modules = result.stdout.split("\n")[:2]
    assert django_modules == "", f"Django modules loaded: {django_modules}"
    assert heavy_modules == "", f"heavy libraries imported eagerly: {heavy_modules}"
