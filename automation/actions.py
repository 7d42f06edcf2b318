"""What a rule's actions do, each through the service a person would use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.models import User
from automation.assignment import assign_in_group
from automation.models import Action, Rule
from notifications import services as notifications
from notifications.models import Notification
from tickets import canned, services
from tickets.models import Tag, Ticket
from tickets.notify import ticket_data
from webhooks.services import queue_delivery

ROBOT_EMAIL = "automation@{domain}"

T = TypeVar("T")


@dataclass(frozen=True)
class Done:
    """What an action did, a line of the rule's record; `in_history` when
    the change it made is in the ticket's history already (marked "By"
    the rule)."""

    line: str
    in_history: bool = False


class Broken(Exception):
    """A rule cannot run as written (a deleted group, a wrong code); the
    message says why, in the reader's language."""


def robot() -> User:
    """Who writes the notes and replies rules send: a staff account that
    cannot sign in."""
    user, created = User.objects.get_or_create(
        email=ROBOT_EMAIL.format(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
        defaults={"full_name": "Helpdesk", "is_staff": True, "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _code(action: Action, choices: type) -> str:
    value = action.value.strip()
    if value not in choices.values:
        raise Broken(
            _("“%(value)s” is not a valid value for “%(action)s”.")
            % {"value": value, "action": action.get_kind_display()}
        )
    return value


def _missing(action: Action) -> Broken:
    return Broken(
        _(
            "The action “%(action)s” names a group, agent or webhook that no longer exists."
        )
        % {"action": action.get_kind_display()}
    )


def _reference(action: Action, value: T | None) -> T:
    if value is None:
        raise _missing(action)
    return value


def _text(action: Action, ticket: Ticket) -> str:
    """The action's text with the macros' placeholders filled for the ticket."""
    values = canned.placeholder_values(
        ticket,
        support_ends_on=ticket.licence.support_ends_on,
        language=ticket.contact.language,
        agent=ticket.assignee,
    )
    return canned.fill(action.value, values)


def carry_out(rule: Rule, ticket: Ticket) -> list[Done]:
    """Do each of the rule's actions on the ticket, in order; what was done,
    one `Done` an action that did something. Raises `Broken` before changing
    anything a broken action would; the caller's savepoint undoes the
    actions before it."""
    done = []
    for n, action in enumerate(rule.actions.all()):
        # Each service reads the ticket again, locked; what `_do` reads
        # itself must be as the last action left it.
        if n:
            ticket.refresh_from_db(fields=["status", "assignee", "group"])
        outcome = _do(action, ticket, rule)
        if outcome is not None:
            done.append(outcome)
    return done


def _do(action: Action, ticket: Ticket, rule: Rule) -> Done | None:
    Kind = Action.Kind
    kind = action.kind
    if kind == Kind.SET_GROUP:
        group = _reference(action, action.group)
        services.update_ticket(ticket, by=None, group=group)
        line = _("group: %(group)s") % {"group": group.name}
        if ticket.assignee_id is None and group.assignment:
            ticket.group = group
            agent = assign_in_group(ticket, at=now())
            if agent is None:
                # Nothing in the history says so but the rule's record.
                return Done(line + "; " + _("nobody on shift to assign it to"))
            line += "; " + _("assigned to %(name)s") % {"name": agent.get_full_name()}
        return Done(line, in_history=True)
    if kind == Kind.ASSIGN:
        if action.user is None and action.needs_reference:
            raise _missing(action)
        if action.user is not None:
            agent = action.user
            if not (agent.is_active and agent.is_staff):
                raise Broken(
                    _("%(name)s can no longer be assigned tickets.")
                    % {"name": agent.get_full_name()}
                )
            services.update_ticket(ticket, by=None, assignee=agent)
        else:
            agent = assign_in_group(ticket, at=now())
            if agent is None:
                return Done(_("nobody on shift to assign it to"))
        return Done(
            _("assigned to %(name)s") % {"name": agent.get_full_name()},
            in_history=True,
        )
    if kind == Kind.SET_PRIORITY:
        value = _code(action, Ticket.Priority)
        services.update_ticket(ticket, by=None, priority=value)
        return Done(
            _("priority: %(value)s") % {"value": Ticket.Priority(value).label},
            in_history=True,
        )
    if kind == Kind.SET_CATEGORY:
        value = _code(action, Ticket.Category)
        services.update_ticket(ticket, by=None, category=value)
        return Done(
            _("category: %(value)s") % {"value": Ticket.Category(value).label},
            in_history=True,
        )
    if kind == Kind.SET_STATUS:
        value = _code(action, Ticket.Status)
        if value == ticket.status:
            return None
        try:
            services.change_ticket_status(ticket, to=value, by=None)
        except services.TicketError as refused:
            return Done(str(refused))
        return Done(
            _("status: %(value)s") % {"value": Ticket.Status(value).label},
            in_history=True,
        )
    if kind in (Kind.ADD_TAGS, Kind.REMOVE_TAGS):
        names = Tag.names_in(action.value)
        if kind == Kind.ADD_TAGS:
            changed = services.tag_ticket(ticket, by=None, add=names)
            line = _("tags added: %(tags)s")
        else:
            changed = services.tag_ticket(ticket, by=None, remove=names)
            line = _("tags removed: %(tags)s")
        if changed is None:
            return None
        return Done(line % {"tags": ", ".join(names)}, in_history=True)
    if kind == Kind.ADD_NOTE:
        services.add_message(
            ticket, author=robot(), body=_text(action, ticket), internal=True
        )
        return Done(_("internal note added"), in_history=True)
    if kind == Kind.REPLY:
        services.add_message(ticket, author=robot(), body=_text(action, ticket))
        return Done(_("reply sent to the customer"), in_history=True)
    if kind == Kind.NOTIFY:
        people = _notified(action, ticket)
        _notify(people, ticket, rule, _text(action, ticket))
        return Done(
            _("notified: %(names)s")
            % {"names": ", ".join(person.get_full_name() for person in people) or "—"}
        )
    if kind == Kind.WEBHOOK:
        endpoint = _reference(action, action.endpoint)
        queue_delivery(
            endpoint,
            "automation.rule_matched",
            key=ticket.reference,
            data={"rule": rule.name, "ticket": ticket_data(ticket)},
        )
        return Done(_("webhook called: %(url)s") % {"url": endpoint.url})
    raise Broken(_("Unknown action “%(kind)s”.") % {"kind": kind})


def _notified(action: Action, ticket: Ticket) -> list[User]:
    """The agent named, the group's members, or the ticket's assignee."""
    if action.user is not None:
        people = [action.user]
    elif action.group is not None:
        people = list(action.group.members.all())
    elif action.needs_reference:
        raise _missing(action)
    else:
        people = [ticket.assignee] if ticket.assignee else []
    return [person for person in people if person.is_active and person.is_staff]


def _notify(people: list[User], ticket: Ticket, rule: Rule, text: str) -> None:
    """Each person's notice, in their list and by e-mail as they want it
    (`notifications`): the rule's name as its title, the rule's text in it."""
    for person in people:
        notifications.notify(
            person, ticket, kind=Notification.Kind.RULE, title=rule.name, text=text
        )
