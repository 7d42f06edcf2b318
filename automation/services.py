"""Rules written in code: the demo's, the bench's, the tests'. The admin
writes them through its forms (`automation.forms`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction

from automation.models import Action, Condition, Rule


@transaction.atomic
def create_rule(
    kind: str,
    name: str,
    *,
    conditions: Iterable[Mapping[str, object]] = (),
    actions: Iterable[Mapping[str, object]] = (),
    **fields: object,
) -> Rule:
    """A rule with its conditions and actions, each given as its fields."""
    rule = Rule.objects.create(kind=kind, name=name, **fields)
    Condition.objects.bulk_create(
        Condition(rule=rule, **condition) for condition in conditions
    )
    # One by one, in order: the actions run in the order of their keys.
    for fields_of_action in actions:
        action = Action(rule=rule, **fields_of_action)
        action.remember_references()
        action.save()
    return rule
