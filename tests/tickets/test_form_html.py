"""Form fields rendered once and kept (tickets.form_html): the queue's filter
and bulk bars, the staff ticket page's properties. The next request shows
a change to the lists behind their choices, to the values sent and to the
ticket; nothing is rendered again when nothing changed.

Transactional: values read inside a transaction are never kept.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.test import signals

from tests.auth import sign_in
from tests.factories import LicenceFactory, UserFactory
from tickets import services
from tickets.models import Macro, Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sla_targets"),
]

QUEUE = "/staff/queue/"


@contextmanager
def _templates_rendered():
    names: list[str] = []

    def record(sender, template, context, **kwargs) -> None:
        names.append(template.name)

    signals.template_rendered.connect(record)
    try:
        yield names
    finally:
        signals.template_rendered.disconnect(record)


def _get(client, url: str) -> tuple[str, list[str]]:
    with _templates_rendered() as names:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), names


def test_the_queue_renders_its_bars_once(client, agent, ticket) -> None:
    sign_in(client, agent)
    _html, first = _get(client, QUEUE)

    html, second = _get(client, QUEUE)

    assert "tickets/_form_fields.html" in first
    assert "tickets/_bulk_fields.html" in first
    assert "tickets/_form_fields.html" not in second
    assert "tickets/_bulk_fields.html" not in second
    assert 'name="priority"' in html  # the kept filter bar
    assert 'id="bulk_action"' in html  # the kept bulk bar


def test_each_filter_sent_and_each_language_has_its_own_fields(
    client, agent, ticket
) -> None:
    sign_in(client, agent)
    _get(client, QUEUE)

    filtered, _names = _get(client, f"{QUEUE}?priority=high")
    client.cookies["django_language"] = "en"
    english, _names = _get(client, QUEUE)

    assert '<option value="high" selected>' in filtered
    assert '<option value="high" selected>' not in _get(client, QUEUE)[0]
    assert '<label for="id_priority">Priority</label>' in english


def test_a_new_macro_is_offered_in_the_bulk_bar_at_once(client, agent, ticket):
    sign_in(client, agent)
    assert "Запросить журнал" not in _get(client, QUEUE)[0]

    Macro.objects.create(title="Запросить журнал", body_ru="Пришлите журнал.")

    assert "Запросить журнал" in _get(client, QUEUE)[0]


def test_another_agents_personal_macro_is_not_in_my_bulk_bar(
    client, agent, supervisor, ticket
) -> None:
    Macro.objects.create(title="Личный макрос", body_ru="x", owner=supervisor)
    sign_in(client, supervisor)
    assert "Личный макрос" in _get(client, QUEUE)[0]
    client.logout()

    sign_in(client, agent)

    assert "Личный макрос" not in _get(client, QUEUE)[0]


def test_the_properties_are_rendered_once_per_ticket_state(
    client, agent, ticket
) -> None:
    sign_in(client, agent)
    url = ticket.get_absolute_url()
    _get(client, url)

    html, again = _get(client, url)

    assert "tickets/_properties_fields.html" not in again
    assert 'name="licence"' in html


def test_the_properties_show_the_ticket_as_it_is_now(client, agent, ticket) -> None:
    sign_in(client, agent)
    url = ticket.get_absolute_url()
    _get(client, url)

    services.update_ticket(
        ticket,
        by=agent,
        status=Ticket.Status.WAITING,
        priority=Ticket.Priority.LOW,
        category=ticket.category,
        assignee=agent,
        licence=ticket.licence,
    )
    html, _names = _get(client, url)

    assert '<option value="low" selected>' in html
    assert '<option value="waiting" selected>' in html
    assert f'<option value="{agent.pk}" selected>' in html


def test_a_new_licence_and_a_new_colleague_show_in_the_properties(
    client, agent, ticket
) -> None:
    sign_in(client, agent)
    url = ticket.get_absolute_url()
    _get(client, url)

    LicenceFactory(organisation=ticket.organisation, number="ALFA-0002-BBBB-0002")
    UserFactory(email="new@support.example", full_name="Пётр Новиков", is_staff=True)
    html, _names = _get(client, url)

    assert "ALFA-0002-BBBB-0002" in html
    assert "Пётр Новиков" in html


def test_the_shortcuts_help_is_in_each_language(client, agent, ticket, settings):
    settings.DEBUG = False  # kept per process and language, as in production
    sign_in(client, agent)

    russian = _get(client, QUEUE)[0]
    client.cookies["django_language"] = "en"
    english = _get(client, ticket.get_absolute_url())[0]

    assert '<h2 id="keyboard-shortcuts-title">Горячие клавиши</h2>' in russian
    assert '<h2 id="keyboard-shortcuts-title">Keyboard shortcuts</h2>' in english
