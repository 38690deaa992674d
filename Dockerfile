# One image for web (gunicorn), worker and beat (celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/app/var

# WeasyPrint needs Pango and HarfBuzz; gettext compiles the translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

# The app never runs as root: web, worker and beat all run as this user (see USER below).
RUN useradd --create-home --uid 1000 --user-group portal
WORKDIR /app

COPY pyproject.toml README.md ./
COPY portal/__init__.py portal/__init__.py
RUN mkdir -p assessments news && touch assessments/__init__.py news/__init__.py \
 && pip install --upgrade pip && pip install .
COPY . .
RUN pip install --no-deps . \
 && DEBUG=1 python manage.py compilemessages -v0 \
 && DEBUG=1 python manage.py collectstatic --noinput -v0 \
 && mkdir -p /app/var/private /app/var/media && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
