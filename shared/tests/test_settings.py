"""Settings every process shares: no silent development keys, the JWKS found where the gateway listens."""

import pytest
from pydantic import ValidationError
from sunlight.settings import CommonSettings, ServiceSettings


def test_without_an_environment_the_development_keys_are_refused_with_a_clear_message(monkeypatch):
    for name in ("SUNLIGHT_ENVIRONMENT", "SUNLIGHT_ENCRYPTION_KEYS", "SUNLIGHT_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError) as refused:
        CommonSettings()
    message = str(refused.value)
    assert "SUNLIGHT_ENCRYPTION_KEYS" in message and "SUNLIGHT_HASH_KEY" in message
    assert "SUNLIGHT_ENVIRONMENT=dev" in message and "make run" in message


def test_only_an_explicit_dev_environment_uses_the_development_keys(monkeypatch):
    for name in ("SUNLIGHT_ENCRYPTION_KEYS", "SUNLIGHT_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUNLIGHT_ENVIRONMENT", "dev")
    assert CommonSettings().cipher.decrypt(CommonSettings().cipher.encrypt("x", context="t"), context="t") == "x"
    monkeypatch.delenv("SUNLIGHT_ENVIRONMENT")
    monkeypatch.setenv("SUNLIGHT_ENCRYPTION_KEYS", "k1:" + "A" * 43 + "=")
    monkeypatch.setenv("SUNLIGHT_HASH_KEY", "an-operators-own-hash-key")
    assert CommonSettings().environment == "production", "real keys and no environment: production"


def test_services_find_the_jwks_on_the_gateways_port_unless_told_otherwise(monkeypatch):
    monkeypatch.setenv("SUNLIGHT_GATEWAY_PORT", "8600")
    assert ServiceSettings(environment="test").effective_jwks_url() == "http://127.0.0.1:8600/.well-known/jwks.json"
    monkeypatch.setenv("SUNLIGHT_GATEWAY_HOST", "0.0.0.0")  # noqa: S104 - listening everywhere: connect locally
    assert ServiceSettings(environment="test").effective_jwks_url() == "http://127.0.0.1:8600/.well-known/jwks.json"
    monkeypatch.setenv("SUNLIGHT_JWKS_URL", "https://gw.internal/.well-known/jwks.json")
    assert ServiceSettings(environment="test").effective_jwks_url() == "https://gw.internal/.well-known/jwks.json"
