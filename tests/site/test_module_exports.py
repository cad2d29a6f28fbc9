"""Every name a module lists in `__all__` exists, so that `from consult.models import *` (the
shell, a data migration, a notebook) works."""

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPORTING = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in (ROOT / "consult").rglob("*.py")
    if "__all__ = [" in path.read_text(encoding="utf-8")
)


def test_the_modules_that_list_their_names_are_found() -> None:
    assert "consult.models" in EXPORTING and "consult.analysis.campaigns" in EXPORTING


@pytest.mark.parametrize("name", EXPORTING)
def test_every_name_in_all_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert [item for item in module.__all__ if not hasattr(module, item)] == []
