"""The admin's forms for rules: values checked and written as codes."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext as _

from automation.models import Action, Condition, Rule
from tickets.models import Ticket

# The fields whose values are a ticket's choices, typed as a code or a label.
CHOICES_OF_FIELD: dict[str, type[models.TextChoices]] = {
    Condition.Field.CHANNEL: Ticket.Channel,
    Condition.Field.CATEGORY: Ticket.Category,
    Condition.Field.PRIORITY: Ticket.Priority,
    Condition.Field.STATUS: Ticket.Status,
}
CHOICES_OF_ACTION: dict[str, type[models.TextChoices]] = {
    Action.Kind.SET_PRIORITY: Ticket.Priority,
    Action.Kind.SET_CATEGORY: Ticket.Category,
    Action.Kind.SET_STATUS: Ticket.Status,
}


def as_code(typed: str, choices: type[models.TextChoices]) -> str:
    """The code of a choice typed as its code or its label in either language."""
    wanted = typed.strip().casefold()
    for value, label in choices.choices:
        if wanted in (str(value).casefold(), str(label).casefold()):
            return value
    raise forms.ValidationError(
        _("“%(typed)s” is not one of: %(choices)s.")
        % {
            "typed": typed.strip(),
            "choices": ", ".join(
                f"{label} ({value})" for value, label in choices.choices
            ),
        }
    )


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = [
            "name",
            "position",
            "is_active",
            "match_all",
            "event",
            "clock",
            "after",
            "unit",
        ]

    def clean(self) -> dict:
        data = super().clean()
        kind = self.instance.kind
        if kind == Rule.Kind.TRIGGER and not data.get("event"):
            self.add_error("event", _("Choose the event the trigger reacts to."))
        if kind == Rule.Kind.ESCALATION:
            if not data.get("clock"):
                self.add_error("clock", _("Choose the clock the escalation watches."))
            if not data.get("after"):
                self.add_error("after", _("Say after how long the escalation acts."))
        return data


class ConditionForm(forms.ModelForm):
    class Meta:
        model = Condition
        fields = ["field", "operator", "value", "group", "user"]

    def clean(self) -> dict:
        data = super().clean()
        field, operator = data.get("field"), data.get("operator")
        if field is None or operator in (
            Condition.Operator.EMPTY,
            Condition.Operator.NOT_EMPTY,
        ):
            return data
        if field == Condition.Field.GROUP:
            if data.get("group") is None:
                self.add_error("group", _("Choose the group."))
        elif field == Condition.Field.ASSIGNEE:
            if data.get("user") is None:
                self.add_error("user", _("Choose the agent."))
        elif not data.get("value", "").strip():
            self.add_error("value", _("Type the value to compare with."))
        elif field in CHOICES_OF_FIELD and operator in (
            Condition.Operator.IS,
            Condition.Operator.IS_NOT,
        ):
            try:
                data["value"] = ",".join(
                    as_code(typed, CHOICES_OF_FIELD[field])
                    for typed in data["value"].split(",")
                    if typed.strip()
                )
            except forms.ValidationError as error:
                self.add_error("value", error)
        return data


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["kind", "value", "group", "user", "endpoint"]

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        Kind = Action.Kind
        value = data.get("value", "").strip()
        if kind in CHOICES_OF_ACTION:
            try:
                data["value"] = as_code(value, CHOICES_OF_ACTION[kind])
            except forms.ValidationError as error:
                self.add_error("value", error)
        elif kind == Kind.SET_GROUP and data.get("group") is None:
            self.add_error("group", _("Choose the group."))
        elif kind == Kind.WEBHOOK and data.get("endpoint") is None:
            self.add_error("endpoint", _("Choose the webhook."))
        elif (
            kind in (Kind.ADD_TAGS, Kind.REMOVE_TAGS, Kind.ADD_NOTE, Kind.REPLY)
            and not value
        ):
            self.add_error("value", _("Type the tags or the text."))
        return data

    def save(self, commit: bool = True) -> Action:
        action = super().save(commit=False)
        action.remember_references()
        if commit:
            action.save()
        return action
