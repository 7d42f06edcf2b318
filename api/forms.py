from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Integration
from api.scopes import ORGANISATION_SCOPES, Scope
from api.services import IntegrationError, issue_token


class TokenForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_("Empty: until revoked. E.g. 2027-12-31 23:59."),
    )

    def __init__(self, *args: object, organisation_only: bool, **kwargs: object):
        super().__init__(*args, **kwargs)
        if organisation_only:
            self.fields["scopes"].choices = [
                (value, label)
                for value, label in Scope.choices
                if value in ORGANISATION_SCOPES
            ]

    def issue(self, integration: Integration, *, by) -> str:
        """The new token's text, shown once; "" with the refusal on the form."""
        if not self.is_valid():
            return ""
        try:
            _token, text = issue_token(
                integration,
                scopes=self.cleaned_data["scopes"],
                expires_at=self.cleaned_data["expires_at"],
                by=by,
            )
        except IntegrationError as error:
            self.add_error(None, str(error))
            return ""
        return text
