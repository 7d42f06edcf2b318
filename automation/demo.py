"""The demo's groups, routing rules, trigger and escalations (`make run`)."""

from __future__ import annotations

from accounts.models import User
from automation.models import Action, Condition, Rule
from automation.services import create_rule
from tickets.models import SupportGroup, Ticket
from tickets.services import update_ticket


def load_demo_automation() -> None:
    """Two groups and the rules a small desk starts with; safe to run again."""
    if Rule.objects.exists():
        return
    agent = User.objects.get(email="agent@example.com")
    agent2 = User.objects.get(email="agent2@example.com")
    supervisor = User.objects.get(email="supervisor@example.com")
    first_line, _created = SupportGroup.objects.get_or_create(
        name="Первая линия",
        defaults={
            "description": "Вопросы настройки и лицензирования",
            "assignment": SupportGroup.Assignment.ROUND_ROBIN,
            "open_tickets_cap": 20,
        },
    )
    first_line.members.add(agent, agent2)
    second_line, _created = SupportGroup.objects.get_or_create(
        name="Вторая линия", defaults={"description": "Сбои и ошибки продуктов"}
    )
    second_line.members.add(agent2)
    # The demo's unsolved tickets, filed before the rules, in their groups.
    for ticket in Ticket.objects.open().filter(group=None):
        malfunction = ticket.category == Ticket.Category.MALFUNCTION
        update_ticket(ticket, by=None, group=second_line if malfunction else first_line)

    create_rule(
        Rule.Kind.ROUTING,
        "Сбои — второй линии",
        position=10,
        conditions=[
            {
                "field": Condition.Field.SUBJECT,
                "operator": Condition.Operator.CONTAINS,
                "value": "ошибка, не запускается, падает, сбой",
            }
        ],
        actions=[
            {"kind": Action.Kind.SET_GROUP, "group": second_line},
            {"kind": Action.Kind.ADD_TAGS, "value": "сбой"},
        ],
    )
    create_rule(
        Rule.Kind.ROUTING,
        "Остальное — первой линии",
        position=20,
        actions=[{"kind": Action.Kind.SET_GROUP, "group": first_line}],
    )
    create_rule(
        Rule.Kind.TRIGGER,
        "Клиент пишет «срочно» — поднять приоритет",
        event=Rule.Event.CUSTOMER_REPLIED,
        conditions=[
            {
                "field": Condition.Field.MESSAGE,
                "operator": Condition.Operator.CONTAINS,
                "value": "срочно, urgent",
            }
        ],
        actions=[
            {"kind": Action.Kind.SET_PRIORITY, "value": "high"},
            {"kind": Action.Kind.NOTIFY, "value": "Клиент просит поторопиться."},
        ],
    )
    create_rule(
        Rule.Kind.ESCALATION,
        "Нет первого ответа 2 рабочих часа",
        clock=Rule.Clock.NO_FIRST_ANSWER,
        after=2,
        unit=Rule.Unit.HOURS,
        conditions=[
            {
                "field": Condition.Field.PRIORITY,
                "operator": Condition.Operator.IS,
                "value": "low,normal",
            }
        ],
        actions=[
            {"kind": Action.Kind.SET_PRIORITY, "value": "high"},
            {"kind": Action.Kind.NOTIFY, "user": supervisor},
        ],
    )
    create_rule(
        Rule.Kind.ESCALATION,
        "Напомнить клиенту через 5 рабочих дней",
        clock=Rule.Clock.WAITING,
        after=5,
        unit=Rule.Unit.DAYS,
        actions=[
            {
                "kind": Action.Kind.REPLY,
                "value": "{customer_name}, мы ждём вашего ответа по заявке "
                "{reference}. Если вопрос решён, ответ не нужен: через пять "
                "рабочих дней мы отметим заявку решённой.",
            }
        ],
    )
    create_rule(
        Rule.Kind.ESCALATION,
        "Решить молчащую через 10 рабочих дней",
        clock=Rule.Clock.WAITING,
        after=10,
        unit=Rule.Unit.DAYS,
        actions=[{"kind": Action.Kind.SET_STATUS, "value": "resolved"}],
    )
