"""One definition of a public route, shared by the gateway (no token, anonymous limits, no caller address
upstream), the services (no-store answers) and the tests that walk public routes."""

from sunlight.public import is_public


def test_public_routes_are_under_public_or_a_standards_fixed_path():
    assert is_public("/v1/complaints/public/reports")
    assert is_public("/v1/funds/public/programmes/1/payments", "funds")
    assert is_public("/v1/complaints/open311/v2/requests.json", "complaints")


def test_everything_else_needs_a_token():
    assert not is_public("/v1/complaints/reports")
    assert not is_public("/v1/funds/programmes/public")  # a resource named "public" is not the public prefix
    assert not is_public("/v1/funds/public/programmes", "complaints")  # another service's prefix
    assert not is_public("/v1/funds/open311/v2/requests.json")
    assert not is_public("/v2/complaints/public/reports")
    assert not is_public("/v1/public")
