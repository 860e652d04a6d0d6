# syntax=docker/dockerfile:1
# One image for every process of the system: web (gunicorn), worker and beat (Celery), and the
# one-shot migrate job. See docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# The processes run as this user; the code stays owned by root and read-only for it.
RUN groupadd --system --gid 1000 app \
 && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. `pip install .` installs
# only the dependencies (py-modules = []); setuptools reads README.md for the metadata.
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . \
 && rm -rf build ./*.egg-info

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
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media /app/var/bridge /var/lib/celery \
 && chown app:app /app/var /app/var/media /app/var/bridge /var/lib/celery

USER app

EXPOSE 8000

# Health check: see the `web` service in docker-compose.yml (the worker and beat share this
# image and have no HTTP port).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--forwarded-allow-ips=*"]
