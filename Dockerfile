# syntax=docker/dockerfile:1
# The marketplace service. Two stages: the first builds the virtual environment (and compiles the message
# catalogs), the second holds only that environment, the fonts the PDF posters need, and an unprivileged user.
# Runs `serve` on an external PostgreSQL (DATABASE_URL) by default; see docs/DEPLOY.md and deploy/compose.yaml.
# hadolint rules followed by hand (no Docker engine or hadolint binary on the development machines): pinned
# base image and apt packages, --no-install-recommends, apt lists removed, no cache in pip, WORKDIR absolute,
# a USER that is not root, exec-form CMD and HEALTHCHECK.

FROM python:3.11.14-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY marketplace ./marketplace
COPY tourism ./tourism
COPY search ./search
COPY i18n ./i18n
# The catalogs are compiled inside the installed package, so the runtime stage needs no write access to it.
RUN pip install --no-cache-dir . \
    && marketplace i18n compile

FROM python:3.11.14-slim-bookworm AS runtime
# Noto Sans (Latin, Vietnamese, Cyrillic, Arabic) and Noto Sans CJK: without them poster.pdf answers "unavailable".
# hadolint wants apt versions pinned: these are bookworm's.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-core=20201225-1 \
        fonts-noto-cjk=1:20220127+repack1-1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 marketplace \
    && useradd --system --uid 10001 --gid marketplace --home-dir /var/lib/marketplace --create-home \
        --shell /usr/sbin/nologin marketplace
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/var/lib/marketplace
WORKDIR /var/lib/marketplace
# Numeric, so the host and Kubernetes' runAsNonRoot can tell it is not root (hadolint DL3066).
USER 10001:10001
EXPOSE 8000
# Exec form: no shell between Docker and the check. /healthz answers while the process lives.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
# --host 0.0.0.0 needs BASE_URL (the public URL) in the environment: serve refuses to start without it.
CMD ["marketplace", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
