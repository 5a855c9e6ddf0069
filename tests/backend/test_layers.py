"""The server keeps its rules (docs/ARCHITECTURE.md, "Server", "Rules").

Read from the source with `ast`, as `tests/app/test_layers.py` does for the client, so a page
that queries the database itself, a router importing another, or crud building a response fails
here, not in a review. What is checked:
- routers and console modules run no SQL: no `select(...)`, no `.exec(...)`/`.execute(...)`, and
  a session (a name `db` or `session`) is only committed, rolled back or refreshed (so no
  `db.get(...)`, `db.add(...)`, ...);
- no router module imports another (`routers.media_headers` is not a router);
- crud imports no presenter, router or console module, and no response schema (`*Out`, `*Page`
  from `backend_stub.schemas`);
- every public crud function whose first parameter is `db` takes all the others by keyword;
- services and demo import no router or console module;
- crud commits only in the named exceptions (`COMMITS_IN_CRUD`);
- from the client, the server imports only what it shares with it on purpose
  (`SHARED_WITH_APP`: the classifier's ranking, pure Python — never Flet, a view model or the
  client's store).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.app.test_layers import imports_in, within

BACKEND = Path(__file__).resolve().parents[2] / "backend_stub"

ROUTERS = "backend_stub.routers"
CONSOLE = "backend_stub.console"
CRUD = "backend_stub.crud"
MEDIA_HEADERS = "backend_stub.routers.media_headers"  # what two routers share, no router

# what a router or a console page may do with its session: end the unit of work
SESSION_NAMES = {"db", "session"}
SESSION_ENDS = {"commit", "rollback", "refresh"}
SQL_METHODS = {"exec", "execute"}
# the only client modules the server may import (one ranking, one IIN check, one pixel clean-up)
SHARED_WITH_APP = {"app.domain.classifier_ranking", "app.domain.iin", "app.domain.pixels"}
# what crud must never import
ABOVE_CRUD = ("backend_stub.presenters", ROUTERS, CONSOLE)

# (crud module, function) that commit; docs/ARCHITECTURE.md and crud/__init__.py name them
COMMITS_IN_CRUD = {
    # a write that must outlive the error about to be raised
    ("otp", "_count_failure"),  # a wrong code counted (verify_code's)
    ("sessions", "_sent_again"),  # a revoked session (rotate's)
    ("uploads", "finish_upload"),  # a rejected upload
    # a unit of work decided by a unique constraint or a conditional update
    ("idempotency", "run_once"),
    ("emergency", "request_forward"),
    ("media", "_add_row"),  # a stored file's row (ingest's)
    ("uploads", "claim_upload"),
    ("uploads", "holds_claim"),
    ("uploads", "advance_offset"),
    ("uploads", "release_upload"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(BACKEND.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(prefix: str) -> list[tuple[str, str]]:
    """(module name, source) of every module in the package `prefix`."""
    found = []
    for path in sorted(BACKEND.rglob("*.py")):
        mod = module_name(path)
        if within(mod, prefix):
            found.append((mod, path.read_text(encoding="utf-8")))
    return found


def sql_calls(source: str) -> list[str]:
    """SQL run in place: `select(...)`, `.exec(...)`/`.execute(...)`, a session's other calls."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "select":
            found.append(f"line {node.lineno}: select(...)")
        elif isinstance(func, ast.Attribute):
            if func.attr == "select" or func.attr in SQL_METHODS:
                found.append(f"line {node.lineno}: .{func.attr}(...)")
            elif (
                isinstance(func.value, ast.Name)
                and func.value.id in SESSION_NAMES
                and func.attr not in SESSION_ENDS
            ):
                found.append(f"line {node.lineno}: {func.value.id}.{func.attr}(...)")
    return found


def imported_modules(mod: str, source: str) -> set[str]:
    return imports_in(source, mod.rsplit(".", 1)[0])


def router_imports(mod: str, source: str) -> list[str]:
    """Other router modules this router module imports."""
    return sorted(
        name
        for name in imported_modules(mod, source)
        if within(name, ROUTERS)
        and name != ROUTERS
        and not within(name, MEDIA_HEADERS)
        and not within(name, mod)
    )


def banned_imports(mod: str, source: str, banned: tuple[str, ...]) -> list[str]:
    names = imported_modules(mod, source)
    return sorted({b for b in banned for n in names if within(n, b)})


def response_schemas(source: str) -> list[str]:
    """Response shapes (`*Out`, `*Page`) imported from `backend_stub.schemas`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and within(node.module or "", "backend_stub.schemas"):
            found += [a.name for a in node.names if a.name.endswith(("Out", "Page"))]
    return sorted(found)


def positional_after_db(source: str) -> list[str]:
    """Public functions taking `db` first and something else positionally."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        if node.name.startswith("_") or not positional or positional[0].arg != "db":
            continue
        if len(positional) > 1 or args.vararg is not None:
            found.append(node.name)
    return found


def commits(source: str) -> set[str]:
    """Top-level functions that call `.commit()` (anywhere in their body)."""
    found = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr == "commit"
                ):
                    found.add(node.name)
    return found


def short(mod: str) -> str:
    return mod.rsplit(".", 1)[-1]


def test_routers_and_console_run_no_sql() -> None:
    found = [
        f"{mod} {call}"
        for prefix in (ROUTERS, CONSOLE)
        for mod, source in modules(prefix)
        for call in sql_calls(source)
    ]
    assert found == []


def test_no_router_imports_another() -> None:
    found = [
        f"{mod} imports {name}"
        for mod, source in modules(ROUTERS)
        for name in router_imports(mod, source)
    ]
    assert found == []


def test_crud_imports_no_upper_layer_nor_response_shape() -> None:
    found = []
    for mod, source in modules(CRUD):
        found += [f"{mod} imports {b}" for b in banned_imports(mod, source, ABOVE_CRUD)]
        found += [f"{mod} imports {name}" for name in response_schemas(source)]
    assert found == []


def test_crud_takes_its_arguments_after_db_by_keyword() -> None:
    found = [
        f"{mod}.{name}" for mod, source in modules(CRUD) for name in positional_after_db(source)
    ]
    assert found == []


def test_the_server_imports_from_the_app_only_what_it_shares() -> None:
    found = [
        f"{mod} imports {name}"
        for mod, source in modules("backend_stub")
        for name in sorted(imports_in(source, mod))
        if within(name, "app") and not any(within(name, shared) for shared in SHARED_WITH_APP)
    ]
    assert found == []


def test_services_and_demo_import_no_router_nor_console() -> None:
    found = [
        f"{mod} imports {b}"
        for prefix in ("backend_stub.services", "backend_stub.demo")
        for mod, source in modules(prefix)
        for b in banned_imports(mod, source, (ROUTERS, CONSOLE))
    ]
    assert found == []


def test_crud_commits_only_in_the_named_exceptions() -> None:
    found = {(short(mod), name) for mod, source in modules(CRUD) for name in commits(source)}
    assert found - COMMITS_IN_CRUD == set()
    assert COMMITS_IN_CRUD - found == set(), "an exception named here no longer commits"


# Each check can fail: fed a snippet that breaks its rule, it reports it.
Check = Callable[[str], list[str] | set[str]]


def in_a_router(source: str) -> list[str]:
    return router_imports("backend_stub.routers.appeals", source)


def in_crud(source: str) -> list[str]:
    return banned_imports("backend_stub.crud.appeals", source, ABOVE_CRUD)


@pytest.mark.parametrize(
    ("check", "source", "expected"),
    [
        (sql_calls, "rows = db.exec(select(Appeal)).all()\n", True),
        (sql_calls, "n = session.execute(text('select 1'))\n", True),
        (sql_calls, "appeal = db.get(Appeal, 1)\n", True),
        (sql_calls, "db.add(appeal)\n", True),
        (sql_calls, "db.commit()\nnames.get('x')\n", False),
        (in_a_router, "from backend_stub.routers.media import x\n", True),
        (in_a_router, "from backend_stub.routers import media\n", True),
        (in_a_router, "from backend_stub.routers.media_headers import TUS_VERSION\n", False),
        (in_crud, "from backend_stub.presenters.appeals import appeal_out\n", True),
        (in_crud, "import backend_stub.console.kit.text\n", True),
        (in_crud, "from backend_stub.routers import media\n", True),
        (in_crud, "from backend_stub.crud.records import by_key\n", False),
        (response_schemas, "from backend_stub.schemas.appeals import AppealOut\n", True),
        (response_schemas, "from backend_stub.schemas.common import NoticePage\n", True),
        (response_schemas, "from backend_stub.schemas.appeals import AppealCreate\n", False),
        (positional_after_db, "def f(db: Session, appeal_id: int) -> None: ...\n", True),
        (positional_after_db, "def f(db, *rest): ...\n", True),
        (positional_after_db, "def f(db: Session, *, appeal_id: int) -> None: ...\n", False),
        (positional_after_db, "def _f(db, appeal_id): ...\n", False),
        (commits, "def f(db):\n    db.add(x)\n    db.commit()\n", True),
        (commits, "def f(db):\n    db.flush()\n", False),
    ],
)
def test_each_check_can_fail(check: Check, source: str, expected: bool) -> None:
    assert bool(check(source)) is expected
