"""The header and footer of every page are kept once rendered for the values
they use (helpdesk.site_tags); the CSRF token and the page's path are each
request's own."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kept(settings) -> None:
    settings.DEBUG = False  # kept, as in production


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_the_language_switch_posts_with_this_sessions_token(customer) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    client.get("/tickets/")  # the header kept with a stand-in for the token
    html = client.get("/tickets/?page=2&q=<b>").content.decode()

    form = html[html.index('class="language-switcher"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    response = client.post(
        "/i18n/setlang/",
        {"csrfmiddlewaretoken": token, "language": "en", "next": "/tickets/"},
    )

    assert response.status_code == 302
    assert 'name="next" type="hidden" value="/tickets/?page=2&amp;q=%3Cb%3E"' in form


def test_each_user_sees_their_own_name_and_menu(customer, agent, colleague) -> None:
    customers_client, agents_client, colleagues_client = Client(), Client(), Client()
    customers_client.force_login(customer)
    sign_in(agents_client, agent)
    colleagues_client.force_login(colleague)

    mine = _header(customers_client.get("/tickets/").content.decode())
    staff = _header(agents_client.get("/tickets/").content.decode())
    members = _header(colleagues_client.get("/tickets/").content.decode())

    contacts = reverse("accounts:organisation_contacts")
    assert customer.get_short_name() in mine
    assert contacts in mine  # a manager's menu
    assert contacts not in members
    assert colleague.get_short_name() in members
    assert agent.get_short_name() in staff
    assert "Очередь" in staff
    assert "Очередь" not in mine


def test_a_renamed_user_is_named_anew(customer) -> None:
    client = Client()
    client.force_login(customer)
    client.get("/tickets/")

    customer.full_name = "Анна Петровна Кузнецова"
    customer.save()

    assert customer.get_short_name() in _header(
        client.get("/tickets/").content.decode()
    )


def test_the_footer_follows_the_language(client) -> None:
    russian = client.get("/support-hours/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/support-hours/").content.decode()

    assert "Контакты поддержки" in russian
    assert "Support contacts" in english
