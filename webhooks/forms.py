from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Integration
from webhooks.models import ORGANISATION_EVENT_TYPES, Endpoint, EventType
from webhooks.services import WebhookError, create_endpoint
from webhooks.targets import TargetRefused, check_target


def _event_choices(organisation_only: bool) -> list[tuple[str, str]]:
    return [
        (value, label)
        for value, label in EventType.choices
        if not organisation_only or value in ORGANISATION_EVENT_TYPES
    ]


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https:// address of your system that accepts POST requests."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, organisation_only: bool, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = _event_choices(organisation_only)

    def create(self, integration: Integration) -> Endpoint | None:
        """The new endpoint; None with the refusal on the form."""
        if not self.is_valid():
            return None
        try:
            return create_endpoint(
                integration,
                url=self.cleaned_data["url"],
                event_types=self.cleaned_data["event_types"],
            )
        except WebhookError as error:
            self.add_error("url", str(error))
            return None


class EndpointAdminForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Endpoint
        fields = ["integration", "url", "event_types"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_target(url)
        except TargetRefused as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        return url

    def clean(self) -> dict:
        cleaned = super().clean()
        integration = cleaned.get("integration")
        chosen = set(cleaned.get("event_types") or [])
        if integration is not None and integration.organisation_id is not None:
            foreign = chosen - set(ORGANISATION_EVENT_TYPES)
            if foreign:
                self.add_error(
                    "event_types",
                    _("An organisation's integration cannot receive %(types)s.")
                    % {"types": ", ".join(sorted(foreign))},
                )
        return cleaned
