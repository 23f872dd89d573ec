# corridor-planner: the API server, and the Dask scheduler/workers of docker-compose.yml (same image).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY planner ./planner
COPY api ./api
COPY corridor_cli ./corridor_cli
COPY graphs ./graphs
RUN pip install ".[dask]" && rm -rf /src

# Run as an unprivileged user; /data (the batch job store) is the only writable place it needs.
RUN useradd --system --uid 10001 --home-dir /home/corridor --create-home corridor \
    && mkdir -p /data && chown corridor:corridor /data
USER corridor
WORKDIR /home/corridor
ENV CORRIDOR_DATA_DIR=/data \
    CORRIDOR_HOST=0.0.0.0 \
    CORRIDOR_PORT=8000
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# `corridor serve` refuses a public address unless API keys are configured (CORRIDOR_API_KEYS or
# CORRIDOR_API_KEYS_FILE: SHA-256 digests) or CORRIDOR_ALLOW_PUBLIC_WITHOUT_KEYS=1 is set on purpose.
CMD ["corridor", "serve", "--host", "0.0.0.0", "--port", "8000"]
