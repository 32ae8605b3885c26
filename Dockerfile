# gongkai API image: multi-stage, non-root, serves on 0.0.0.0:8000.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api ./api
COPY schema ./schema
COPY db ./db
COPY ingest ./ingest
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 gongkai
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=gongkai:gongkai api ./api
COPY --chown=gongkai:gongkai schema ./schema
COPY --chown=gongkai:gongkai db ./db
COPY --chown=gongkai:gongkai ingest ./ingest
COPY --chown=gongkai:gongkai data ./data
RUN mkdir -p /app/var && chown gongkai:gongkai /app/var
USER gongkai
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["gongkai", "serve", "--host", "0.0.0.0", "--port", "8000"]
