from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import EMAIL_ONLY, Notification, Preferences


class PreferencesForm(forms.Form):
    """For each kind, in the app and by e-mail (ticked: wanted; by e-mail
    alone for `EMAIL_ONLY` kinds), and the quiet hours."""

    quiet_from = forms.TimeField(
        label=_("No e-mail from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_to = forms.TimeField(
        label=_("until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Moscow time. E-mails are held and sent when the quiet hours end."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Notification.Kind.choices:
            if value not in EMAIL_ONLY:
                self.fields[f"in_app_{value}"] = forms.BooleanField(
                    label=_("%(kind)s: in the app") % {"kind": label}, required=False
                )
            self.fields[f"email_{value}"] = forms.BooleanField(
                label=_("%(kind)s: by e-mail") % {"kind": label}, required=False
            )

    @classmethod
    def initial_from(
        cls, preferences: Preferences, *, customer_message_email: bool
    ) -> dict:
        initial: dict[str, object] = {
            "quiet_from": preferences.quiet_from,
            "quiet_to": preferences.quiet_to,
        }
        for value in Notification.Kind.values:
            if value not in EMAIL_ONLY:
                initial[f"in_app_{value}"] = value not in preferences.muted_in_app
            initial[f"email_{value}"] = value not in preferences.muted_email
        initial[f"email_{Notification.Kind.CUSTOMER_REPLY}"] = customer_message_email
        return initial

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("quiet_from") is None) != (data.get("quiet_to") is None):
            raise forms.ValidationError(
                _("Give both ends of the quiet hours, or neither.")
            )
        return data

    def rows(
        self,
    ) -> Iterator[tuple[str, forms.BoundField | None, forms.BoundField]]:
        """(kind's label, in-app field or None, e-mail field), a row each kind."""
        for value, label in Notification.Kind.choices:
            in_app = None if value in EMAIL_ONLY else self[f"in_app_{value}"]
            yield label, in_app, self[f"email_{value}"]

    def muted(self, channel: str) -> list[str]:
        return [
            value
            for value in Notification.Kind.values
            if f"{channel}_{value}" in self.fields
            and not self.cleaned_data[f"{channel}_{value}"]
        ]
