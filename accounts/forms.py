from __future__ import annotations

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.forms import BoundField
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessRequest, Membership, Organisation, User
from accounts.validators import validate_licence_number, validate_tax_id


class ConsentBoundField(BoundField):
    """The consent box as a checkbox row: the box, then its label on the same
    line with the link to the notice in it; a long label wraps under its own
    text, not under the box (`.checkbox-row`, static/css/site.css). The label
    comes with the box, so the place a form gives a label (above the box in
    `as_div`, before it in `as_p`) stays empty; the error list stays where
    the form puts it, just above the row."""

    def label_tag(self, *args, **kwargs) -> str:
        return ""

    def as_widget(self, widget=None, attrs=None, only_initial=False) -> SafeString:
        box = super().as_widget(widget, attrs, only_initial)
        return format_html(
            '<span class="checkbox-row">{}<label for="{}">{}</label></span>',
            box,
            self.id_for_label,
            self.field.label_with_link(),
        )


class ConsentField(forms.BooleanField):
    """The required tick of consent to the processing of personal data, with
    a link to the notice it agrees to (`accounts:privacy_notice`) in its
    label (`ConsentBoundField`). `label` stays plain text: the error summary
    names the field by it."""

    bound_field_class = ConsentBoundField

    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("I agree to the processing of my personal data"),
            error_messages={
                "required": _(
                    "Tick the box to agree to the processing of your personal "
                    "data: without it we cannot give you access."
                )
            },
            **kwargs,
        )

    def label_with_link(self) -> SafeString:
        # Reversed when drawn: URLs cannot be reversed at import.
        text = conditional_escape(
            _(
                "I agree to the processing of my personal data "
                "(%(link)swhat is stored, why and for how long%(end)s)"
            )
        )
        # Safe: the translated text is escaped, the link is built by format_html.
        return mark_safe(
            text
            % {
                "link": format_html(
                    '<a href="{}" target="_blank" rel="noopener">',
                    reverse("accounts:privacy_notice"),
                ),
                "end": mark_safe("</a>"),
            }
        )


class AccessRequestForm(forms.ModelForm):
    consent = ConsentField()

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


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (open only to an invitation's address), with consent."""

    consent = ConsentField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Last, just above the button, as on the other forms: allauth adds
        # the passwords after the fields declared here.
        self.order_fields([name for name in self.fields if name != "consent"])

    def clean(self) -> dict:
        cleaned_data = super().clean()
        # A form shown again only for what else was missing (the tick) keeps
        # the passwords typed, which a browser would otherwise empty.
        for name in ("password1", "password2"):
            if name in self.fields and name not in self.errors:
                self.fields[name].widget.render_value = True
        return cleaned_data


class AcceptInvitationForm(forms.Form):
    """A returning account accepts an invitation: with consent, by POST."""

    consent = ConsentField()


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
