"""`make run`'s var/secrets.env: random keys per install, in a file no one else can read at any moment."""

import importlib.util
import io
import os
import stat
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("dev_secrets", ROOT / "scripts" / "dev_secrets.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _values(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if not line.startswith("#"))


def test_secrets_file_is_private_from_its_creation_and_its_keys_are_per_install(tmp_path, monkeypatch):
    for name in ("SUNLIGHT_ENVIRONMENT", "SUNLIGHT_ENCRYPTION_KEYS", "SUNLIGHT_HASH_KEY",
                 "SUNLIGHT_BOOTSTRAP_CLIENT_ID", "SUNLIGHT_BOOTSTRAP_CLIENT_SECRET"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    modes_when_opened: list[int] = []
    real_io_open, real_os_open = io.open, os.open

    def watch_io_open(file, mode="r", *args, **kwargs):
        handle = real_io_open(file, mode, *args, **kwargs)
        if any(flag in mode for flag in "wax+"):
            modes_when_opened.append(stat.S_IMODE(os.fstat(handle.fileno()).st_mode))
        return handle

    def watch_os_open(path, flags, mode=0o777, *args, **kwargs):
        fd = real_os_open(path, flags, mode, *args, **kwargs)
        if flags & (os.O_WRONLY | os.O_RDWR):
            modes_when_opened.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    installs = []
    for install in ("one", "two"):
        folder = tmp_path / install
        folder.mkdir()
        monkeypatch.chdir(folder)
        old_umask = os.umask(0o022)
        try:
            monkeypatch.setattr(io, "open", watch_io_open)
            monkeypatch.setattr(os, "open", watch_os_open)
            _script().main()
        finally:
            monkeypatch.undo()
            os.umask(old_umask)
        path = folder / "var" / "secrets.env"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        installs.append(_values(path))
    assert modes_when_opened and all(m == 0o600 for m in modes_when_opened), (
        f"the secrets file was writable while readable by others: modes {[oct(m) for m in modes_when_opened]}"
    )
    one, two = installs
    assert one["SUNLIGHT_ENVIRONMENT"] == "dev"
    for key in ("SUNLIGHT_ENCRYPTION_KEYS", "SUNLIGHT_HASH_KEY", "SUNLIGHT_BOOTSTRAP_CLIENT_SECRET"):
        assert one[key] != two[key], f"{key} is random per install"
    assert "sunlight-development" not in " ".join(one.values())


def test_existing_values_are_kept_and_a_readable_file_is_made_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SUNLIGHT_HASH_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    _script().main()
    path = tmp_path / "var" / "secrets.env"
    first = _values(path)
    path.chmod(0o644)
    _script().main()
    assert _values(path) == first, "a second `make run` keeps the install's keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
