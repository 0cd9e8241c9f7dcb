"""The Sunlight gateway: OAuth2 token endpoint, JWKS, admin API, proxy to the services,
rate limits, one merged OpenAPI with Swagger UI, health and metrics."""
