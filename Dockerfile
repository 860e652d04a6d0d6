# One image for every process of the system: web (gunicorn), worker and beat (Celery), the one-shot
# migrate job and the RFID bridge. See docs/deploy.md.
# No "# syntax=" line: the classic builder and BuildKit's built-in frontend both build this file,
# and neither needs a registry for it (a syntax line makes BuildKit fetch its frontend).
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="hk-livestock"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# The processes run as this user; the code stays owned by root and read-only for it.
RUN groupadd --system --gid 1000 app \
 && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first and from pyproject.toml alone, so that a change to the code, the README or
# the docs reuses this layer: the list is read from [project] dependencies and installed directly
# (the project itself is never installed; it runs from /app).
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
      > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .

ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/var/staticfiles \
    MEDIA_ROOT=/app/var/media

# Static files are collected into the image (whitenoise serves them). The production settings
# refuse to load without these variables, so throwaway values are given for this step only:
# collectstatic opens no database connection.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only \
    DATABASE_URL=postgres://x@x/x \
    DJANGO_ALLOWED_HOSTS=x \
    python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/var/media /app/var/bridge /var/lib/celery \
 && chown app:app /app/var /app/var/media /app/var/bridge /var/lib/celery

USER app

EXPOSE 8000

# Health check: see the `web` service in docker-compose.yml (the worker, beat and bridge share
# this image and have no HTTP port).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--forwarded-allow-ips=*"]
