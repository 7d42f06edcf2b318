from __future__ import annotations

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessRequest, Membership, Organisation, User
from accounts.validators import validate_licence_number, validate_tax_id


class AccessRequestForm(forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = [
            "organisation_name",
            "tax_id",
            "full_name",
            "position",
            "email",
            "phone",
            "licence_number",
        ]
        help_texts = {
            "tax_id": _("10 digits for a company, 12 for an individual entrepreneur."),
            "email": _("Your work address: the invitation is sent there."),
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tax_id"].required = True
        self.fields["tax_id"].validators.append(validate_tax_id)
        self.fields["licence_number"].validators.append(validate_licence_number)
        self.fields["licence_number"].help_text = _(
            "As printed on your licence certificate, e.g. %(example)s."
        ) % {"example": settings.LICENCE_NUMBER_EXAMPLE}


class InviteContactForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role, initial=Membership.Role.MEMBER
    )


class ApproveAccessRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Link to organisation"),
        queryset=Organisation.objects.active(),
        required=False,
        empty_label=_("— create a new organisation from the request —"),
    )


class DeclineAccessRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the requester)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's form, sending a reset link only to an account that may act
    (`User.may_act`); anyone else gets allauth's "no account" mail."""

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = [user for user in self.users if user.may_act()]
        return email


class ProfileForm(forms.ModelForm):
    """What a person keeps up to date about themselves."""

    class Meta:
        model = User
        fields = ["full_name", "position", "phone", "mobile_phone", "language"]
        labels = {"language": _("Language of e-mails and Telegram messages")}
        help_texts = {
            "language": _(
                "The language switch at the top changes only how this site reads "
                "in this browser."
            )
        }
