# One image recipe for the six deployables: docker build --build-arg SERVICE=funds -t sunlight-funds .
# (`make images` builds all six). Installed with uv from uv.lock; runs as a non-root user; the root
# filesystem can be mounted read-only (bytecode compiled at build, /tmp is the only writable path).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG UV_VERSION=0.13.9
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY shared shared
COPY gateway gateway
COPY services services
RUN test -n "${SERVICE}" \
    && uv sync --frozen --no-dev --package "sunlight-${SERVICE}" \
    && "/app/.venv/bin/sunlight-${SERVICE}" --help > /dev/null

FROM ${PYTHON_IMAGE}
ARG SERVICE
LABEL org.opencontainers.image.title="sunlight-${SERVICE}" \
      org.opencontainers.image.source="https://sunlight.example/sunlight"
RUN groupadd --system --gid 10001 sunlight \
    && useradd --system --uid 10001 --gid sunlight --no-create-home --shell /usr/sbin/nologin sunlight
WORKDIR /app
COPY --from=build /app /app
ENV PATH=/app/.venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SUNLIGHT_DEPLOYABLE=${SERVICE} \
    SUNLIGHT_LOG_JSON=true
USER 10001:10001
# serve (the default), migrate, migrated --wait N; the port is the deployable's (see deploy/k8s/base)
ENTRYPOINT ["/bin/sh", "-c", "exec \"sunlight-${SUNLIGHT_DEPLOYABLE}\" \"$@\"", "sunlight"]
CMD ["serve"]
