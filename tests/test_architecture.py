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
    "schemas.py",
    "repository.py",
    "service.py",
    "rules.py",
    "events.py",
    "handlers.py",
    "errors.py",
    "__main__.py",
    "api/__init__.py",
)


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
