"""Issue 22's load: the active triggers a busy desk would have, for the
filing scenarios of bench/run.py and the in-process figure of
bench/inprocess.py (filing stays above 50 a second, and the triggers add at
most 5 ms at p95)."""

from __future__ import annotations

from automation.models import Action, Condition, Rule

COUNT = 100
NAME = "bench: trigger {n:03d}"


def install(count: int = COUNT) -> int:
    """Replace the bench's triggers with `count` active ones: most look at
    every filed ticket (or customer reply) and match few (words in the
    subject, a priority, words in the message); one in ten matches the
    bench's filings ("сервер печати") and tags them. Returns how many
    triggers are active."""
    Rule.objects.filter(name__startswith="bench: ").delete()
    for n in range(count):
        rule = Rule.objects.create(
            kind=Rule.Kind.TRIGGER,
            name=NAME.format(n=n),
            event=Rule.Event.CREATED if n % 4 else Rule.Event.CUSTOMER_REPLIED,
            position=n,
        )
        matching = n % 10 == 0
        Condition.objects.bulk_create(
            [
                Condition(
                    rule=rule,
                    field=Condition.Field.SUBJECT,
                    operator=Condition.Operator.CONTAINS,
                    value="сервер печати" if matching else f"слово{n}, другое{n}",
                ),
                Condition(
                    rule=rule,
                    field=Condition.Field.PRIORITY,
                    operator=Condition.Operator.IS_NOT,
                    value="critical",
                ),
                Condition(
                    rule=rule,
                    field=Condition.Field.MESSAGE,
                    operator=Condition.Operator.NOT_CONTAINS,
                    value="тест",
                ),
            ]
        )
        Action.objects.create(
            rule=rule, kind=Action.Kind.ADD_TAGS, value=f"bench-{n:03d}"
        )
    return Rule.objects.filter(kind=Rule.Kind.TRIGGER, is_active=True).count()
