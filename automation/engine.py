"""Which rules match a ticket, and running them.

`on_event` listens to the ticket events `tickets` publishes (`outbox.events`),
inside the transaction of the change: a filed ticket is routed (the first
routing rule that matches) and then the triggers of the event run, each
that matches in turn. What a rule does goes through the tickets services
(`automation.actions`), so history, SLA, e-mails and webhooks follow as for
a change by hand; those changes publish events of their own, which run the
triggers again, down to `MAX_DEPTH`, where the chain stops with a record
on the ticket.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils.timezone import now
from django.utils.translation import gettext as _

from automation.actions import Broken, carry_out
from automation.models import Action, Condition, Rule, RuleRun
from helpdesk import audit
from helpdesk.cache import VersionedCache
from outbox.events import Event
from tickets.models import RULE_MARK, Message, Ticket, TicketEvent

logger = logging.getLogger(__name__)

# The active rules with their conditions and actions, read by every filing
# and reply: kept until a rule changes (`automation.signals`), for the
# target of bench/README.md (the triggers add at most 5 ms to a filing).
rules_cache = VersionedCache(
    "automation:rules", kept_in_process=True, read_in_transactions=True
)

# How many rules may set each other off in one chain: the fourth rule that
# reacts to a change made by a rule stops, recorded on the ticket.
MAX_DEPTH = 3

# The chain of rules running now, outermost first.
_chain: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "automation_chain", default=()
)
# The active rules as the chain running now read them.
_rules_read: contextvars.ContextVar[dict[tuple[str, str], list[Rule]] | None] = (
    contextvars.ContextVar("automation_rules", default=None)
)


@dataclass(frozen=True)
class Happening:
    """A ticket event as the triggers see it."""

    kind: str
    ticket_id: int
    event: TicketEvent | None = None


def happening_of(published: Event) -> Happening | None:
    """The trigger event a published ticket event is, or None."""
    source = published.source
    if isinstance(source, Ticket):
        kinds = {
            "ticket.sla_warning": Rule.Event.SLA_WARNING,
            "ticket.sla_breached": Rule.Event.SLA_BREACHED,
        }
        kind = kinds.get(published.type)
        return Happening(kind, source.pk) if kind else None
    if not isinstance(source, TicketEvent):
        return None
    kind = {
        TicketEvent.Kind.CREATED: Rule.Event.CREATED,
        TicketEvent.Kind.STATUS: Rule.Event.STATUS_CHANGED,
        TicketEvent.Kind.ASSIGNEE: Rule.Event.ASSIGNED,
        TicketEvent.Kind.RATED: Rule.Event.RATED,
    }.get(source.kind)
    if source.kind == TicketEvent.Kind.MESSAGE and source.message is not None:
        kind = {
            Message.Kind.CUSTOMER: Rule.Event.CUSTOMER_REPLIED,
            Message.Kind.REPLY: Rule.Event.STAFF_REPLIED,
        }.get(source.message.kind)
    if source.kind == TicketEvent.Kind.TAGS:
        old = set(source.old_value.split(", "))
        if set(source.new_value.split(", ")) - old - {""}:
            kind = Rule.Event.TAG_ADDED
    if kind is None:
        return None
    return Happening(kind, source.ticket_id, source)


def on_event(published: Event) -> None:
    """Route a filed ticket and run the triggers of what happened to it."""
    happening = happening_of(published)
    if happening is None:
        return
    run_rules(happening)


def active_rules(kind: str, event: str = "") -> list[Rule]:
    """The active rules of a kind (triggers: of one event), in order, with
    their conditions and actions: read once for a whole chain (the events a
    filing sets off read the same rules)."""
    read = _rules_read.get()
    if read is None:
        read = _read_active_rules()
    return read.get((kind, event), [])


def _read_active_rules() -> dict[tuple[str, str], list[Rule]]:
    def read() -> dict[tuple[str, str], list[Rule]]:
        rules: dict[tuple[str, str], list[Rule]] = {}
        for rule in (
            Rule.objects.active()
            .order_by("position", "pk")
            .prefetch_related(
                "conditions",
                Prefetch(
                    "actions",
                    queryset=Action.objects.select_related("group", "user", "endpoint"),
                ),
            )
        ):
            rules.setdefault((rule.kind, rule.event), []).append(rule)
        return rules

    return rules_cache.get("active", read)


def run_rules(happening: Happening) -> list[RuleRun]:
    """Routing (for a filed ticket) and then every matching trigger."""
    chain = _chain.get()
    if chain:
        return _run_rules(happening, chain)
    # The outermost event: the rules are read once for all it sets off.
    token = _rules_read.set(_read_active_rules())
    try:
        return _run_rules(happening, chain)
    finally:
        _rules_read.reset(token)


def _run_rules(happening: Happening, chain: tuple[str, ...]) -> list[RuleRun]:
    triggers = active_rules(Rule.Kind.TRIGGER, happening.kind)
    routing = []
    if happening.kind == Rule.Event.CREATED and not chain:
        routing = active_rules(Rule.Kind.ROUTING)
    if not routing and not triggers:
        return []
    if len(chain) >= MAX_DEPTH:
        _record_stop(happening, chain, triggers)
        return []
    message = message_text(happening)
    ticket = read_ticket(happening.ticket_id)
    facts = facts_of(ticket, message)
    first = next((rule for rule in routing if _matches_safely(rule, facts)), None)
    runs = []
    changed = False
    for rule in [first, *triggers] if first is not None else triggers:
        if changed:
            # What the last rule did is what the next one sees (rules change
            # the ticket's own fields, never its organisation, licence or
            # contact).
            ticket.refresh_from_db(fields=OWN_FACTS)
            facts = facts_of(ticket, message)
            changed = False
        if rule.kind == Rule.Kind.TRIGGER and not _matches_safely(rule, facts):
            continue
        run = run_rule(rule, ticket, happening)
        if run is not None:
            runs.append(run)
            changed = True
    return runs


def read_ticket(ticket_id: int) -> Ticket:
    """The ticket with what conditions read of its organisation, licence and
    contact, in one query."""
    return Ticket.objects.select_related("organisation", "licence", "contact").get(
        pk=ticket_id
    )


# What conditions read of a ticket (`Condition.Field`), by the path to it
# from the ticket. The tags are read as the ticket keeps their names.
FACTS = {
    Condition.Field.CHANNEL: "channel",
    Condition.Field.CATEGORY: "category",
    Condition.Field.PRIORITY: "priority",
    Condition.Field.STATUS: "status",
    Condition.Field.GROUP: "group_id",
    Condition.Field.ASSIGNEE: "assignee_id",
    Condition.Field.ORGANISATION: "organisation__name",
    "organisation_tax_id": "organisation__tax_id",
    Condition.Field.PRODUCT: "licence__product",
    Condition.Field.EDITION: "licence__edition",
    Condition.Field.LANGUAGE: "contact__language",
    Condition.Field.CONTACT_EMAIL: "contact_email",
    Condition.Field.SUBJECT: "subject",
    Condition.Field.TAGS: "tag_names",
}

# The ticket's own fields among them.
OWN_FACTS = [path.removesuffix("_id") for path in FACTS.values() if "__" not in path]

Facts = dict[str, object]


def facts_of(ticket: Ticket, message: str = "") -> Facts:
    """The ticket as conditions see it (its organisation, licence and contact
    read with it, or one query each), and the message of the event."""
    facts: Facts = {}
    for field, path in FACTS.items():
        value: object = ticket
        for name in path.split("__"):
            value = getattr(value, name)
        facts[field] = value
    facts[Condition.Field.MESSAGE] = message
    return facts


def _matches_safely(rule: Rule, facts: Facts) -> bool:
    try:
        return matches(rule, facts)
    except Broken as broken:
        report_broken(rule, str(broken))
        return False


def message_text(happening: Happening) -> str:
    event = happening.event
    if event is not None and event.message is not None:
        return event.message.body
    return ""


def matches(rule: Rule, facts: Facts) -> bool:
    """Whether the ticket (and the message of the event) meets the rule's
    conditions: all of them, or any one (`match_all`); a rule without
    conditions matches every ticket."""
    # The prefetched list itself: `.all()` would make a queryset a rule.
    conditions = getattr(rule, "_prefetched_objects_cache", {}).get("conditions")
    if conditions is None:
        conditions = list(rule.conditions.all())
    if not conditions:
        return True
    results = (holds(condition, facts) for condition in conditions)
    return all(results) if rule.match_all else any(results)


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip().casefold() for word in text.split(",") if word.strip())


def _values(field: str, facts: Facts) -> list[str]:
    """What the ticket holds in a condition's field, case-folded (once per
    field: a hundred rules look at the same few)."""
    known = facts.setdefault("_values", {})
    if field in known:
        return known[field]
    Field = Condition.Field
    value = facts[field]
    if field == Field.ORGANISATION:
        values = [value, facts["organisation_tax_id"]]
    elif field == Field.TAGS:
        values = str(value).split(", ")
    else:
        values = [value]
    known[field] = [str(value).casefold() for value in values if value]
    return known[field]


def _wanted(condition: Condition) -> tuple[str, ...]:
    """What the condition compares with, case-folded; kept on the condition,
    which the rules' cache keeps in process."""
    wanted = getattr(condition, "_wanted", None)
    if wanted is None:
        Field = Condition.Field
        if condition.field in (Field.GROUP, Field.ASSIGNEE):
            reference = (
                condition.group_id
                if condition.field == Field.GROUP
                else condition.user_id
            )
            if reference is None:
                raise Broken(
                    _(
                        "A condition on %(field)s names a group or agent that no "
                        "longer exists."
                    )
                    % {"field": condition.get_field_display()}
                )
            wanted = (str(reference),)
        else:
            wanted = _words(condition.value)
        condition._wanted = wanted
    return wanted


def holds(condition: Condition, facts: Facts) -> bool:
    Operator = Condition.Operator
    values = _values(condition.field, facts)
    operator = condition.operator
    if operator == Operator.EMPTY:
        return not values
    if operator == Operator.NOT_EMPTY:
        return bool(values)
    wanted = _wanted(condition)
    if operator in (Operator.IS, Operator.IS_NOT):
        found = any(value in wanted for value in values)
        return found if operator == Operator.IS else not found
    found = any(word in value for word in wanted for value in values)
    return found if operator == Operator.CONTAINS else not found


def run_rule(
    rule: Rule,
    ticket: Ticket,
    happening: Happening | None,
    *,
    started_at=None,
) -> RuleRun | None:
    """Carry out the rule's actions on the ticket, once per event (or per
    clock, `started_at`); None when it had already acted or could not.

    In a savepoint: a rule that cannot run (`Broken`, or any failure of
    what it asks) is reported and skipped, and what it did before is
    undone, but the change that set it off stands: rules are data anyone
    with the permission edits, and a filing must not fail for one."""
    event = happening.event if happening is not None else None
    token = _chain.set((*_chain.get(), rule.name))
    label = f"{RULE_MARK}{rule.pk} {rule.get_kind_display()} “{rule.name}”"
    try:
        with transaction.atomic(), audit.acting_through(label):
            done = carry_out(rule, ticket)
            # Changes are in the history marked "By" the rule; a record
            # says what else it did (told people, called a webhook, found
            # nobody to assign), or that it matched and changed nothing.
            if not done or not all(outcome.in_history for outcome in done):
                lines = [outcome.line for outcome in done]
                record(ticket, rule, lines or [_("nothing to change")])
            # Last, in the savepoint: a rule that already ran for this event
            # or clock meets the unique row here, and what it did again is
            # undone (its e-mails and webhooks with it: they go on commit).
            return RuleRun.objects.create(
                rule=rule,
                ticket=ticket,
                event=event,
                started_at=started_at,
                done="; ".join(outcome.line for outcome in done),
            )
    except IntegrityError as error:
        if "rule_once_per" in str(error):
            return None
        logger.exception("Rule %s (#%s) failed", rule.name, rule.pk)
        report_broken(rule, _("It failed: %(error)s") % {"error": error})
        return None
    except Broken as broken:
        report_broken(rule, str(broken))
        return None
    except Exception as error:
        logger.exception("Rule %s (#%s) failed", rule.name, rule.pk)
        report_broken(
            rule,
            _("It failed: %(error)s") % {"error": str(error) or type(error).__name__},
        )
        return None
    finally:
        _chain.reset(token)


def record(ticket: Ticket, rule: Rule, done: Sequence[str]) -> TicketEvent:
    """The ticket's history says which rule did what."""
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=None,
        kind=TicketEvent.Kind.AUTOMATION,
        new_value=rule.name[:300],
        note="\n".join(done),
        via="",
    )


def _record_stop(
    happening: Happening, chain: tuple[str, ...], rules: list[Rule]
) -> None:
    stopped = ", ".join(rule.name for rule in rules)
    TicketEvent.objects.create(
        ticket_id=happening.ticket_id,
        actor=None,
        kind=TicketEvent.Kind.AUTOMATION,
        # No rule's name: the history says "Automation stopped".
        new_value="",
        note=_(
            "Rules set each other off %(depth)d times in a row (%(chain)s); "
            "%(stopped)s did not run, so that they cannot loop."
        )
        % {"depth": len(chain), "chain": " → ".join(chain), "stopped": stopped},
    )
    logger.warning("Automation chain stopped at %s", " → ".join(chain))


def report_broken(rule: Rule, problem: str) -> None:
    """Keep the rule's problem for the admin; the change that set it off goes on."""
    Rule.objects.filter(pk=rule.pk).update(problem=problem, problem_at=now())
    logger.warning("Rule %s (#%s) skipped: %s", rule.name, rule.pk, problem)


@contextmanager
def outside_any_chain() -> Iterator[None]:
    """Run rules as if nothing had set them off (the escalations' sweep)."""
    token = _chain.set(())
    try:
        yield
    finally:
        _chain.reset(token)


def dry_run(rule: Rule, tickets: Sequence[Ticket]) -> list[Ticket]:
    """The tickets among these the rule's conditions match now (for the
    admin's dry run; the message condition reads each ticket's first
    message). Raises `Broken` for a rule that cannot run."""
    matched = []
    for ticket in tickets:
        first = next(iter(ticket.messages.all()), None)
        if matches(rule, facts_of(ticket, first.body if first else "")):
            matched.append(ticket)
    return matched
