"""Rules of the codebase that tools do not enforce for us."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("funds", "tenders", "approvals", "complaints", "integrity")
SAME_FILES = (
    "app.py",
    "settings.py",
    "deps.py",
    "models.py",
    "rules.py",
    "events.py",
    "handlers.py",
    "errors.py",
    "__main__.py",
    "api/__init__.py",
)
# a service's shapes and queries: one module, or a package of modules per subdomain (integrity)
ONE_OR_PACKAGE = ("schemas", "repository")
# A module of a service's source longer than this is split along its subdomains (docs/developing.md):
# use cases in modules per subdomain (funds' ledger, payees, trace; integrity's register, dispositions, …),
# their queries and shapes likewise.
MAX_LINES = 500
OVER_THE_LIMIT = {  # modules that are longer today; each is to be split, none may be added
    "services/integrity/src/integrity/index.py": "the index's pure arithmetic and its framework definition",
}
SESSION_WORK = {
    "execute",
    "commit",
    "rollback",
    "flush",
    "add",
    "add_all",
    "delete",
    "get",
    "scalar",
    "scalars",
    "merge",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_services_never_import_each_other_or_the_gateway():
    for service in SERVICES:
        others = (set(SERVICES) - {service}) | {"gateway"}
        for path in (ROOT / "services" / service / "src").rglob("*.py"):
            leaked = _imports(path) & others
            assert not leaked, f"{path.relative_to(ROOT)} imports {leaked}: talk through events or the REST API"


def test_the_shared_package_imports_no_service():
    for path in (ROOT / "shared" / "src").rglob("*.py"):
        leaked = _imports(path) & (set(SERVICES) | {"gateway"})
        assert not leaked, f"{path.relative_to(ROOT)} imports {leaked}"


def test_every_service_has_the_same_shape():
    for service in SERVICES:
        base = ROOT / "services" / service / "src" / service
        missing = [name for name in SAME_FILES if not (base / name).exists()]
        missing += [
            f"{name}.py" for name in ONE_OR_PACKAGE if not (base / f"{name}.py").exists() and not (base / name).is_dir()
        ]
        assert not missing, f"{service} lacks {missing} (DESIGN.md §2)"
        assert (ROOT / "services" / service / "migrations" / "env.py").exists()


def test_tokens_are_decoded_in_one_place_only():
    offenders = []
    for top in ("shared/src", "gateway/src", "services"):
        for path in (ROOT / top).rglob("*.py"):
            if "/tests/" in str(path) or (path.name == "auth.py" and "sunlight" in str(path)):
                continue
            if "jwt.decode(" in path.read_text(encoding="utf-8"):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"verify tokens through sunlight.auth only: {offenders}"


def test_schemas_come_from_migrations_not_create_all():
    offenders = [
        str(p.relative_to(ROOT))
        for top in ("shared/src", "gateway/src", "services")
        for p in (ROOT / top).rglob("*.py")
        if "/tests/" not in str(p) and "create_all(" in p.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders


def test_a_package_of_shapes_or_queries_hides_nothing_in_its_init():
    """``repository/`` and ``schemas/`` packages import nothing in ``__init__``: a caller names the module
    where a query or a shape lives (``integrity.repository.register``), no re-export shim hides it."""
    for service in SERVICES:
        for name in ONE_OR_PACKAGE:
            init = ROOT / "services" / service / "src" / service / name / "__init__.py"
            if init.exists():
                tree = ast.parse(init.read_text(encoding="utf-8"))
                body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
                assert not body, f"{init.relative_to(ROOT)}: only a docstring, import from the modules themselves"


def test_no_service_module_grows_past_the_limit():
    too_long = []
    for service in SERVICES:
        for path in (ROOT / "services" / service / "src").rglob("*.py"):
            name = str(path.relative_to(ROOT))
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES and name not in OVER_THE_LIMIT:
                too_long.append(f"{name} ({lines} lines)")
    assert not too_long, (
        f"split these along their subdomains (docs/developing.md), at most {MAX_LINES} lines: {too_long}"
    )
    stale = [name for name in OVER_THE_LIMIT if not (ROOT / name).exists()]
    assert not stale, f"no longer there, drop them from OVER_THE_LIMIT: {stale}"


def _session_work(path: Path) -> list[str]:
    """Queries and transaction control in a module: sqlalchemy or repository imports, ``session.<work>(…)``."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            names = [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else []
            for module in modules:
                if module.split(".")[0] == "sqlalchemy" or ".repository" in f".{module}" or "repository" in names:
                    found.append(f"line {node.lineno}: imports {module} {names or ''}".rstrip())
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_WORK
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "session"
        ):
            found.append(f"line {node.lineno}: session.{node.func.attr}(…)")
    return found


def test_routers_hold_no_queries_and_no_commits():
    """A router parses, calls one use case and answers; the query and the commit are the use case's."""
    offenders = {}
    for top in ("services", "gateway"):
        for path in (ROOT / top).glob("*/src/*/api/*.py") if top == "services" else (ROOT / top).glob("src/*/api/*.py"):
            if found := _session_work(path):
                offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, offenders


def test_the_router_check_sees_a_query(tmp_path):
    planted = tmp_path / "router.py"
    planted.write_text(
        "from sqlalchemy import select\n"
        "from integrity.repository import register\n"
        "async def f(session):\n"
        "    await session.execute(select(1))\n"
        "    await session.commit()\n"
    )
    assert len(_session_work(planted)) == 4
