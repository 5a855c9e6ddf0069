"""The client's layers import only downwards (docs/ARCHITECTURE.md, "Client").

Read from the source with `ast`, so a new module that reaches up (a service writing the store, a
view model building Flet controls, a repository starting the sync engine) fails here, not in a
review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

# layer (a package prefix) -> prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "app.domain": (
        "app.data",
        "app.sync",
        "app.viewmodels",
        "app.ui",
        "app.composition",
        "flet",
        "sqlmodel",
        "sqlalchemy",
        "httpx",
    ),
    "app.data.services": (
        "app.data.store",
        "app.data.repositories",
        "app.sync",
        "app.viewmodels",
        "app.ui",
        "app.composition",
    ),
    "app.data.store": (
        "app.data.repositories",
        "app.data.services",
        "app.sync",
        "app.viewmodels",
        "app.ui",
        "app.composition",
    ),
    "app.data.repositories": ("app.sync", "app.viewmodels", "app.ui", "app.composition"),
    "app.sync": ("app.viewmodels", "app.ui", "app.composition"),
    "app.viewmodels": ("app.ui", "app.composition", "flet"),
    "app.ui": ("app.data.repositories", "app.data.store", "app.sync", "app.composition"),
}
# The shell is the UI's root: it maps routes to screens and hands each its view models, so it
# alone holds the session. Screens get view models, never the session.
ALLOWED = {("app.ui.shell", "app.composition")}


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved)."""
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> set[str]:
    tree = ast.parse(source)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations() -> list[str]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        mod = module_name(path)
        for layer, banned in FORBIDDEN.items():
            if not within(mod, layer):
                continue
            for imported in sorted(imports_of(path)):
                hit = next((b for b in banned if within(imported, b)), None)
                if hit and (mod, hit) not in ALLOWED:
                    found.append(f"{mod} imports {hit} ({layer} must not)")
    return sorted(set(found))


def test_layers_import_only_downwards() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from app.data.store.database import Database\n", True),
        ("import app.ui.kit\n", True),
        ("from ..store import models\n", True),  # relative, from app.data.services
        ("from app.domain.appeals import Position\n", False),
        ("from app.errors import ApiError\n", False),
    ],
)
def test_the_check_sees_an_upward_import(source: str, expected: bool) -> None:
    """The rule itself can fail: a service importing the store is caught."""
    names = imports_in(source, "app.data.services")
    banned = FORBIDDEN["app.data.services"]
    assert any(within(n, b) for n in names for b in banned) is expected
