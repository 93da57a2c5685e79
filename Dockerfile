# venue-twin application image: the browser app built with Node, served by Python.
FROM node:20-bookworm-slim AS web
WORKDIR /src/viewer/web
COPY viewer/web/package.json viewer/web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY viewer/web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ingest ingest
COPY twin twin
COPY viewer viewer
COPY simulators simulators
COPY venue_twin venue_twin
COPY infra infra
COPY --from=web /src/viewer/static viewer/static
# System libraries the scan and bim extras' wheels load (scripts/debian-packages).
RUN apt-get update && apt-get install -y --no-install-recommends \
        libusb-1.0-0 libgl1 libegl1 libx11-6 libudev1 libsqlite3-0 \
    && rm -rf /var/lib/apt/lists/*
RUN pip install '.[all]' && useradd --system --home /var/lib/venue-twin venue-twin \
    && mkdir -p /var/lib/venue-twin && chown venue-twin /var/lib/venue-twin
USER venue-twin
EXPOSE 8000
CMD ["venue-twin", "serve"]
