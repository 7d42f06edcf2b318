"""Triggers: on the events they name, with conditions on the ticket and the
message, once per event, and never in an endless chain."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils.timezone import localdate

from automation import engine
from automation.models import Action, Condition, Rule, RuleRun
from notifications.models import Notification
from tests.automation.conftest import file, rule
from tests.factories import LicenceFactory
from tickets.models import Message, Ticket, TicketEvent
from tickets.services import add_message, tag_ticket, update_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(organisation):
    return LicenceFactory(organisation=organisation, purchased_on=localdate())


def test_a_customer_reply_with_words_tags_and_tells_the_assignee(
    customer, licence, agent, django_capture_on_commit_callbacks
) -> None:
    rule(
        Rule.Kind.TRIGGER,
        "Клиент пишет «срочно»",
        event=Rule.Event.CUSTOMER_REPLIED,
        conditions=[
            {
                "field": Condition.Field.MESSAGE,
                "operator": Condition.Operator.CONTAINS,
                "value": "срочно, urgent",
            }
        ],
        actions=[
            {"kind": Action.Kind.ADD_TAGS, "value": "срочно"},
            {"kind": Action.Kind.SET_PRIORITY, "value": "critical"},
            {"kind": Action.Kind.NOTIFY, "value": "Клиент просит поторопиться."},
        ],
    )
    ticket = file(customer, licence, description="Срочно!")
    update_ticket(ticket, by=agent, assignee=agent)
    # Filing is not a reply: nothing happened.
    assert not ticket.tags.exists()

    add_message(ticket, author=customer, body="Ждём ответа")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=customer, body="Это СРОЧНО, стоит производство")

    ticket.refresh_from_db()
    assert list(ticket.tags.values_list("name", flat=True)) == ["срочно"]
    assert ticket.priority == Ticket.Priority.CRITICAL
    # The rule's notice, in the agent's list; by e-mail in the digest that
    # follows the customer's message, which went a moment before.
    notice = Notification.objects.get(recipient=agent, kind=Notification.Kind.RULE)
    assert notice.title == "Клиент пишет «срочно»"
    assert notice.text == "Клиент просит поторопиться."
    assert notice.email_due_at is not None
    assert ticket.events.filter(kind=TicketEvent.Kind.AUTOMATION).count() == 1


def test_a_trigger_acts_once_per_event(customer, licence) -> None:
    trigger = rule(
        Rule.Kind.TRIGGER,
        "Метка при подаче",
        event=Rule.Event.CREATED,
        actions=[{"kind": Action.Kind.ADD_TAGS, "value": "новая"}],
    )
    ticket = file(customer, licence)
    created = ticket.events.get(kind=TicketEvent.Kind.CREATED)

    again = engine.run_rules(engine.Happening(Rule.Event.CREATED, ticket.pk, created))

    assert again == []
    assert RuleRun.objects.filter(rule=trigger, ticket=ticket).count() == 1
    assert ticket.events.filter(kind=TicketEvent.Kind.TAGS).count() == 1


def test_what_a_rule_changed_is_in_the_history_and_a_no_op_is_recorded(
    customer, licence, agent
) -> None:
    rule(
        Rule.Kind.TRIGGER,
        "Метка при ответе",
        event=Rule.Event.CUSTOMER_REPLIED,
        actions=[{"kind": Action.Kind.ADD_TAGS, "value": "ответил"}],
    )
    ticket = file(customer, licence)

    add_message(ticket, author=customer, body="Первый ответ")
    tagged = ticket.events.get(kind=TicketEvent.Kind.TAGS)
    assert tagged.via_rule == "Триггер “Метка при ответе”"
    # The tag's event says which rule put it there: no record repeats it.
    assert not ticket.events.filter(kind=TicketEvent.Kind.AUTOMATION).exists()

    add_message(ticket, author=customer, body="Второй ответ")
    # The tag was there already: the rule matched and changed nothing.
    record = ticket.events.get(kind=TicketEvent.Kind.AUTOMATION)
    assert (record.new_value, record.note) == ("Метка при ответе", "нечего менять")


def test_triggers_that_set_each_other_off_stop_at_the_depth_limit(
    customer, licence, agent
) -> None:
    for name, has, swap in (
        ("Пинг", "ping", "pong"),
        ("Понг", "pong", "ping"),
    ):
        rule(
            Rule.Kind.TRIGGER,
            name,
            event=Rule.Event.TAG_ADDED,
            conditions=[{"field": Condition.Field.TAGS, "value": has}],
            actions=[
                {"kind": Action.Kind.REMOVE_TAGS, "value": has},
                {"kind": Action.Kind.ADD_TAGS, "value": swap},
            ],
        )
    ticket = file(customer, licence)

    tag_ticket(ticket, by=agent, add=["ping"])

    # Each rule acts once on each event; the chain of events is cut at
    # MAX_DEPTH rules deep, on each branch, with a record where it was cut.
    runs = RuleRun.objects.filter(ticket=ticket)
    assert sorted(run.rule.name for run in runs) == ["Пинг", "Пинг", "Понг", "Понг"]
    stops = ticket.events.filter(
        kind=TicketEvent.Kind.AUTOMATION, new_value=""
    ).order_by("pk")
    assert [stop.note.split(" (")[1].split(")")[0] for stop in stops] == [
        "Пинг → Понг → Пинг",
        "Пинг → Понг → Понг",
    ]
    assert engine.MAX_DEPTH == 3


def test_a_public_reply_and_an_internal_note_from_a_trigger(
    customer, licence, agent
) -> None:
    rule(
        Rule.Kind.TRIGGER,
        "Ответ вне часов",
        event=Rule.Event.CREATED,
        conditions=[
            {
                "field": Condition.Field.CATEGORY,
                "value": Ticket.Category.LICENSING,
            }
        ],
        actions=[
            {
                "kind": Action.Kind.REPLY,
                "value": "{customer_name}, заявка {reference} принята.",
            },
            {"kind": Action.Kind.ADD_NOTE, "value": "Проверить лицензию."},
        ],
    )

    ticket = file(customer, licence, category=Ticket.Category.LICENSING)

    reply, note = ticket.messages.exclude(kind=Message.Kind.CUSTOMER).order_by("pk")
    assert reply.kind == Message.Kind.REPLY
    assert reply.body == f"{customer.full_name}, заявка {ticket.reference} принята."
    assert note.kind == Message.Kind.INTERNAL_NOTE
    assert reply.author.is_staff
    assert not reply.author.is_active
    # A reply is support's first answer: the ticket is open now.
    assert ticket.status == Ticket.Status.OPEN


def test_dry_run_reports_the_tickets_a_trigger_would_match(customer, licence) -> None:
    trigger = rule(
        Rule.Kind.TRIGGER,
        "Про лицензии",
        event=Rule.Event.CREATED,
        is_active=False,
        conditions=[
            {
                "field": Condition.Field.MESSAGE,
                "operator": Condition.Operator.CONTAINS,
                "value": "ключ",
            }
        ],
    )
    about_keys = [
        file(customer, licence, description="Ключ не подходит") for _ in range(2)
    ]
    file(customer, licence, description="Другое")

    tickets = list(Ticket.objects.prefetch_related("messages"))

    assert sorted(t.pk for t in engine.dry_run(trigger, tickets)) == sorted(
        t.pk for t in about_keys
    )
