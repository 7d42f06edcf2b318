from __future__ import annotations

import pytest

from tests.brokers import celery_broker
from tests.requirements import require_redis

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: connections are refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_reports_each_dependency(client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"] == "not configured"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_public_and_get_only(client) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.redis
def test_healthz_reaches_a_real_broker(client) -> None:
    with celery_broker(require_redis()):
        body = client.get("/healthz").json()

    assert body["checks"]["broker"] == "ok"


def test_healthz_answers_503_when_the_broker_is_down(client) -> None:
    with celery_broker(DEAD_REDIS):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error:")


def test_healthz_answers_503_when_the_cache_is_down(client, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"].startswith("error:")
    assert "127.0.0.1" not in body["checks"]["cache"]  # no host names leak
    assert body["checks"]["database"] == "ok"
