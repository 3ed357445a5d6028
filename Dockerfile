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
COPY wsgi.py gunicorn.conf.py ./

RUN useradd --system --no-create-home --shell /usr/sbin/nologin cimi
USER cimi

EXPOSE 8080
# Any HTTP answer (401 without credentials included) means the server is serving.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD python -c "import sys, urllib.request, urllib.error; \
u = 'http://127.0.0.1:8080/cimi/cloudEntryPoint'; \
exec('try:\n urllib.request.urlopen(u, timeout=4)\nexcept urllib.error.HTTPError as e:\n sys.exit(e.code >= 500)\nexcept OSError:\n sys.exit(1)')"

CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
