"""A service's own Swagger UI (dev and test) loads its assets from the service, not a CDN."""

from sunlight.testing import ServiceHarness
from sunlight.testing.docs import assert_docs_are_self_contained

from .conftest import funds_app, funds_settings


async def test_service_docs_load_without_a_cdn(harness: ServiceHarness):
    settings = await funds_settings(harness)
    async with harness.client(funds_app(settings)) as client:
        await assert_docs_are_self_contained(client)
