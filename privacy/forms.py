from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    """The typed confirmation of an erasure: the person's own address."""

    confirmation = forms.CharField(
        label=_("Type the person's e-mail address to confirm"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    remove_attachments = forms.BooleanField(
        label=_("Also delete the files they attached"),
        required=False,
        help_text=_(
            "Support's files and the tickets stay either way; a deleted file "
            "leaves a line saying it was removed."
        ),
    )

    def __init__(self, *args, expected: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirmation(self) -> str:
        typed = self.cleaned_data["confirmation"].strip()
        if typed.lower() != self.expected.lower():
            raise forms.ValidationError(
                _("This is not the address of the person being erased.")
            )
        return typed
