# chipwatch production image.
#
#   docker build -t chipwatch .
#   docker run --rm -p 127.0.0.1:8000:8000 chipwatch            # SQLite + built-in FTS5 search in /data
#
# The default command is `chipwatch serve`: one web process per core the container may use
# (CHIPWATCH_WEB_WORKERS=N for another number) with the worker beside them.
# docker-compose.yml runs this same image as `chipwatch serve --no-worker` plus a separate
# `chipwatch worker`.
#
# The package carries its templates, static files and migrations, so the venv holds
# everything: the dependencies, the installed project and the `chipwatch` console script.

# Pinned patch release; bump deliberately (and rebuild) for Python security fixes.
ARG PYTHON_IMAGE=python:3.11.17-slim

# --------------------------------------------------------------------------- builder
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# 1. Dependencies only, from the hashed lock (requirements/runtime.lock, refreshed with
#    `make lock`): exactly the locked versions, each file checked against its sha256. This layer
#    is reused until the lock changes, not on every source edit.
COPY requirements/runtime.lock /tmp/runtime.lock
RUN pip install --quiet --require-hashes -r /tmp/runtime.lock

# 2. The project itself (console script `chipwatch`), without touching the deps, built by the
#    locked setuptools.
COPY . .
RUN pip install --quiet --no-deps --no-build-isolation . \
    && python -m compileall -q /opt/venv/lib/python3.11/site-packages/app

# --------------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="chipwatch" \
      org.opencontainers.image.description="Searchable dashboard of AI-chip export-control news"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHIPWATCH_DATA_DIR=/data

RUN groupadd --system --gid 10001 chipwatch \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
               --shell /usr/sbin/nologin chipwatch \
    && mkdir -p /data \
    && chown 10001:10001 /data

COPY --from=builder /opt/venv /opt/venv

WORKDIR /data
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["chipwatch", "serve", "--host", "0.0.0.0", "--port", "8000"]
