"""Two gunicorn instances and two Celery workers on one PostgreSQL and one Redis.

A licence renewed through one instance shows on the other at its next request
(in-process caches are checked against Redis, helpdesk/cache.py), and a burst
of tickets filed through both sends each e-mail exactly once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import dateformat, translation

from accounts.models import Licence
from outbox.models import OutgoingEmail
from tests.auth import sign_in
from tests.private_services import (
    PrivateRedis,
    SmtpSink,
    WorkerProcess,
    free_port,
    manage,
    url_of_test_database,
    wait_for,
)
from tests.requirements import require
from tickets.models import Ticket

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

GUNICORN = Path(settings.BASE_DIR) / ".venv" / "bin" / "gunicorn"
BURST = 20


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict]:
    """Redis, an SMTP sink, two web instances and two workers, all stopped at the end."""
    require(
        connection.vendor == "postgresql",
        "the processes share the test database only in PostgreSQL; set DATABASE_URL",
    )
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    redis = PrivateRedis(tmp_path)
    sink = SmtpSink()
    webs: list[subprocess.Popen] = []
    workers: list[WorkerProcess] = []
    try:
        redis.start()
        sink.start()
        env = {
            "DATABASE_URL": url_of_test_database(),
            "CACHE_URL": redis.url.replace("/0", "/1"),
            "CELERY_BROKER_URL": redis.url,
            "EMAIL_URL": sink.url,
            "DEBUG": "false",
            # Sessions made here carry a hash keyed by it.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "http://127.0.0.1:8000",
            "SUPPORT_EMAIL": "support@helpdesk.example",
            "RELEASE": "scale-out-test",
            # Plain HTTP on 127.0.0.1, as compose publishes gunicorn.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "STATIC_ROOT": str(tmp_path / "static"),
            "MEDIA_ROOT": str(tmp_path / "media"),
        }
        collected = manage("collectstatic", "--noinput", env=env)
        assert collected.returncode == 0, collected.stderr.decode()
        ports = [free_port(), free_port()]
        for port in ports:
            with (tmp_path / f"web-{port}.log").open("wb") as log:
                webs.append(
                    subprocess.Popen(
                        [
                            str(GUNICORN),
                            "helpdesk.wsgi",
                            "--workers",
                            "1",
                            "--bind",
                            f"127.0.0.1:{port}",
                        ],
                        cwd=settings.BASE_DIR,
                        env={**os.environ, **env},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        for name in ("one", "two"):
            worker = WorkerProcess(name, env, tmp_path / f"worker-{name}.log")
            worker.start()
            workers.append(worker)
        urls = [f"http://127.0.0.1:{port}" for port in ports]

        def serving() -> bool:
            try:
                return all(requests.get(f"{u}/healthz", timeout=2).ok for u in urls)
            except requests.RequestException:
                return False

        assert wait_for(serving, 30), _logs(tmp_path)
        yield {"urls": urls, "redis": redis, "sink": sink, "logs": tmp_path}
    finally:
        for web in webs:
            web.terminate()
        for web in webs:
            try:
                web.wait(timeout=10)
            except subprocess.TimeoutExpired:
                web.kill()
        for worker in workers:
            worker.stop()
        sink.stop()
        redis.stop()


def _logs(directory: Path) -> str:
    return "\n".join(
        p.read_text(errors="replace")[-3000:] for p in directory.glob("*.log")
    )


def _session_of(user) -> requests.Session:
    """A browser signed in as `user`: the session is made in the database."""
    client = Client()
    sign_in(client, user)
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return browser


def _post_form(browser: requests.Session, url: str, data: dict) -> requests.Response:
    """GET the form page for its CSRF token, then POST as the browser would."""
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:2000]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=10,
    )


def _support_badge(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:2000]
    return re.search(r'class="badge badge-(?:ok|lapsed)">([^<]*)<', page.text)[1]


def test_a_renewal_through_one_instance_shows_on_the_other_at_once(
    stack, admin_user, customer, active_licence
) -> None:
    first, second = stack["urls"]
    browser = _session_of(admin_user)
    customer_browser = _session_of(customer)
    response = _post_form(
        customer_browser,
        f"{first}/tickets/new/",
        {
            "licence": active_licence.pk,
            "subject": "Служба не стартует",
            "description": "Текст",
            "category": "other",
            "priority": "normal",
            "contact_email": customer.email,
        },
    )
    assert response.status_code == 302, response.text[:2000]
    assert "/tickets/new/" not in response.headers["Location"], response.headers
    ticket = Ticket.objects.get()
    page = f"/tickets/{ticket.reference}/"
    before = (
        _support_badge(browser, first + page),
        _support_badge(browser, second + page),
    )

    response = _post_form(
        browser,
        f"{first}/admin/accounts/licence/",
        {
            "action": "renew",
            "_selected_action": active_licence.pk,
            "apply": "1",
            "years": "1",
        },
    )
    assert response.status_code == 302, response.text[:2000]

    renewed = Licence.objects.get(pk=active_licence.pk).support_ends_on
    with translation.override("ru"):
        expected = dateformat.format(renewed, "j E Y")
    after = _support_badge(browser, second + page)
    assert before[0] == before[1]
    assert expected not in before[1]
    assert expected in after, (before, after)


def test_a_burst_through_both_instances_is_sent_exactly_once(
    stack, customer, active_licence
) -> None:
    browser = _session_of(customer)
    started = time.monotonic()
    for number in range(BURST):
        response = _post_form(
            browser,
            f"{stack['urls'][number % 2]}/tickets/new/",
            {
                "licence": active_licence.pk,
                "subject": f"Заявка {number}",
                "description": "Текст",
                "category": "other",
                "priority": "normal",
                "contact_email": customer.email,
            },
        )
        assert response.status_code == 302, response.text[:2000]

    assert Ticket.objects.count() == BURST

    def drained() -> bool:
        return (
            stack["redis"].drained()
            and OutgoingEmail.objects.exists()
            and not OutgoingEmail.objects.filter(sent_at=None).exists()
        )

    assert wait_for(drained, 60), _logs(stack["logs"])
    sent = Counter(message["Message-ID"] for message in stack["sink"].accepted)
    expected = set(OutgoingEmail.objects.values_list("message_id", flat=True))
    assert len(expected) >= BURST
    assert set(sent) == expected
    assert set(sent.values()) == {1}
    assert time.monotonic() - started < 90
