# cimi-one under gunicorn. With ONE_XMLRPC it serves that OpenNebula; without, a complete
# demo with the embedded emulator (demo/demo), as `make run` does. scripts/run.py supervises
# either way: it stops everything on `docker stop` and exits when a process dies.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CIMI_LISTEN=0.0.0.0:8080 \
    MALLOC_ARENA_MAX=2

WORKDIR /srv/cimi-one
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

COPY app ./app
COPY schemas ./schemas
COPY onesim ./onesim
COPY scripts ./scripts
COPY wsgi.py gunicorn.conf.py gunicorn_worker.py ./

RUN useradd --system --no-create-home --shell /usr/sbin/nologin cimi \
    && mkdir -p var && chown cimi var
USER cimi

EXPOSE 8080
# Ready: serving and reaching OpenNebula (GET /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "scripts/healthcheck.py"]

CMD ["python", "scripts/run.py"]
