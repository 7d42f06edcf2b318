"""Issue 22's load: the active triggers a busy desk would have, for the
filing scenarios of bench/run.py and the in-process figure of
bench/inprocess.py (filing stays above 50 a second, and the triggers add at
most 5 ms at p95)."""

from __future__ import annotations

from automation.models import Action, Condition, Rule
from automation.services import create_rule

COUNT = 100
NAME = "bench: trigger {n:03d}"
# The one trigger that acts on the bench's filings.
ACTING = 10


def install(count: int = COUNT, *, acting: bool = True) -> int:
    """Replace the bench's triggers with `count` active ones: three in four
    look at every filed ticket, the rest at customer replies; each has three
    conditions (words in the subject, a priority, words in the message), and
    one, as a desk's rule for a product would, matches the bench's filings
    ("сервер печати") and tags them, unless `acting` is false. Returns how
    many triggers are active."""
    Rule.objects.filter(name__startswith="bench: ").delete()
    for n in range(count):
        matching = acting and n == ACTING
        create_rule(
            Rule.Kind.TRIGGER,
            NAME.format(n=n),
            event=Rule.Event.CREATED if n % 4 else Rule.Event.CUSTOMER_REPLIED,
            position=n,
            conditions=[
                {
                    "field": Condition.Field.SUBJECT,
                    "operator": Condition.Operator.CONTAINS,
                    "value": "сервер печати" if matching else f"слово{n}, другое{n}",
                },
                {
                    "field": Condition.Field.PRIORITY,
                    "operator": Condition.Operator.IS_NOT,
                    "value": "critical",
                },
                {
                    "field": Condition.Field.MESSAGE,
                    "operator": Condition.Operator.NOT_CONTAINS,
                    "value": "тест",
                },
            ],
            actions=[{"kind": Action.Kind.ADD_TAGS, "value": f"bench-{n:03d}"}],
        )
    return Rule.objects.filter(kind=Rule.Kind.TRIGGER, is_active=True).count()
