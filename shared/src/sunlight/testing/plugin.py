"""The ``sunlight`` pytest plugin: backend parametrisation, fixtures, and the fail-fast check."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from sunlight.testing.backends import Backend, Templates, missing_backends
from sunlight.testing.harness import ServiceHarness
from sunlight.testing.tokens import TestKeys

ALL_BACKENDS = ("sqlite", "postgres")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sunlight")
    group.addoption(
        "--backends",
        default=os.environ.get("SUNLIGHT_TEST_BACKENDS", ",".join(ALL_BACKENDS)),
        help="comma-separated: sqlite (SQLite + embedded log), postgres (PostgreSQL + NATS JetStream)",
    )


def _selected(config: pytest.Config) -> list[str]:
    names = [n.strip() for n in str(config.getoption("--backends")).split(",") if n.strip()]
    unknown = set(names) - set(ALL_BACKENDS)
    if unknown:
        raise pytest.UsageError(f"unknown backends {sorted(unknown)}; choose from {ALL_BACKENDS}")
    return names


def pytest_configure(config: pytest.Config) -> None:
    # settings built by tests run with the development keys; outside tests an unset
    # SUNLIGHT_ENVIRONMENT means production (keys required)
    os.environ.setdefault("SUNLIGHT_ENVIRONMENT", "test")


def pytest_sessionstart(session: pytest.Session) -> None:
    problems = missing_backends(_selected(session.config))
    if problems:
        message = "Sunlight tests need their real backends; these are missing:\n  - " + "\n  - ".join(problems)
        pytest.exit(message, returncode=3)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _selected(metafunc.config), indirect=True)
    elif "backend_name" in metafunc.fixturenames:  # module-scoped resources (e.g. a process stack)
        metafunc.parametrize("backend_name", _selected(metafunc.config), scope="module")


@pytest.fixture(scope="session")
def sunlight_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    templates = Templates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.drop_all()


@pytest.fixture
async def backend(
    request: pytest.FixtureRequest, tmp_path: Path, sunlight_templates: Templates
) -> AsyncIterator[Backend]:
    chosen = Backend(name=request.param, tmp=tmp_path, templates=sunlight_templates)
    yield chosen
    await chosen.cleanup()


@pytest.fixture(scope="session")
def keys() -> TestKeys:
    return TestKeys()


@pytest.fixture
def harness(backend: Backend, keys: TestKeys) -> ServiceHarness:
    return ServiceHarness(backend, keys)
