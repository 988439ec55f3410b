# One image for both the admin (web) and the bot; docker-compose.yml picks the command.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_DEBUG=false

WORKDIR /app

COPY . .

# The app runs from /app (the checkout), whose locales/ are compiled here; collectstatic needs
# no secret, so it runs with the development settings.
RUN pip install '.[server]' \
    && for po in locales/*/LC_MESSAGES/*.po; do [ -e "$po" ] || continue; \
         pybabel compile -i "$po" -o "${po%.po}.mo"; done \
    && DJANGO_DEBUG=true SALON_ENV_FILE= python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 salon \
    && chown -R salon /app

USER salon
EXPOSE 8000 8080

CMD ["gunicorn", "djproject.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2"]
