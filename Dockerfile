FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

# The exact versions of the runtime lock (make lock), hashes checked.
COPY requirements.txt ./
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY pyproject.toml README.md ./
COPY helpdesk ./helpdesk
COPY accounts ./accounts
COPY outbox ./outbox
COPY schedule ./schedule
COPY tickets ./tickets
RUN pip install --no-cache-dir --no-deps .

COPY . .
RUN python -m helpdesk.compile_messages locale/*/LC_MESSAGES/*.po locale_overrides/*/LC_MESSAGES/*.po \
    && DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build SITE_URL=http://build \
       SUPPORT_EMAIL=build@example.invalid python manage.py collectstatic --noinput

RUN useradd --create-home helpdesk && mkdir -p /data/media && chown helpdesk /data/media
USER helpdesk
EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi:application", "--bind", "0.0.0.0:8000"]
