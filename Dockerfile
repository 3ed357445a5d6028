# cimi-one under gunicorn, serving the OpenNebula named by ONE_XMLRPC.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CIMI_LISTEN=0.0.0.0:8080

WORKDIR /srv/cimi-one
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY app ./app
COPY schemas ./schemas
COPY wsgi.py gunicorn.conf.py gunicorn_worker.py ./

RUN useradd --system --no-create-home --shell /usr/sbin/nologin cimi
USER cimi

EXPOSE 8080
COPY scripts/healthcheck.py ./scripts/
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["python", "scripts/healthcheck.py"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
