from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from accounts.models import Licence, User
from tickets.models import SatisfactionRating, Ticket
from tickets.services import licence_refusal

PRIORITY_HELP = {
    Ticket.Priority.LOW: _("A question or a wish; no hurry."),
    Ticket.Priority.NORMAL: _(
        "Something does not work as it should, but there is a way around it."
    ),
    Ticket.Priority.HIGH: _(
        "An important function does not work and there is no way around it."
    ),
    Ticket.Priority.CRITICAL: _("The product is down for everyone in production."),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        if not data:
            return []
        single = super().clean
        return (
            [single(item, initial) for item in data]
            if isinstance(data, list | tuple)
            else [single(data, initial)]
        )


class LicenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, licence: Licence) -> str:
        ends_on = licence.support_ends_on
        until = ends_on.strftime("%d.%m.%Y") if ends_on else "—"
        if licence.subscription_active(on=localdate()):
            return _("%(number)s — %(product)s (support until %(date)s)") % {
                "number": licence.number,
                "product": licence.product,
                "date": until,
            }
        return _("%(number)s — %(product)s (support ended %(date)s)") % {
            "number": licence.number,
            "product": licence.product,
            "date": until,
        }


class TicketForm(forms.Form):
    licence = LicenceChoiceField(label=_("Licence"), queryset=Licence.objects.none())
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 10, "data-markdown-preview": ""}),
        help_text=_(
            "Markdown is supported: **bold**, `code`, lists, links. Say what you did, what you expected and what happened."
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Ticket.Category, widget=forms.RadioSelect
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Ticket.Priority,
        initial=Ticket.Priority.NORMAL,
        widget=forms.RadioSelect,
    )
    contact_email = forms.EmailField(label=_("E-mail for this ticket"))
    contact_phone = forms.CharField(
        label=_("Phone for this ticket"), max_length=40, required=False
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: object, contact: User, **kwargs: object) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("contact_email", contact.email)  # type: ignore[index]
        kwargs["initial"].setdefault("contact_phone", str(contact.phone or ""))  # type: ignore[index]
        super().__init__(*args, **kwargs)
        self.fields["licence"].queryset = (
            Licence.objects.visible_to(contact)
            .filter(organisation__memberships__user=contact)
            .select_related("organisation")
            .with_periods()
        )

    def clean_licence(self) -> Licence:
        licence = self.cleaned_data["licence"]
        refusal = licence_refusal(licence)
        if refusal:
            raise forms.ValidationError(refusal)
        return licence


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-markdown-preview": ""}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(
        label=_("Internal note (never shown to the customer)"), required=False
    )
    status = forms.ChoiceField(
        label=_("Status after this"),
        choices=[("", _("— keep —")), *Ticket.Status.choices],
        required=False,
    )


class RatingForm(forms.ModelForm):
    score = forms.TypedChoiceField(
        label=_("How well did we help?"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = SatisfactionRating
        fields = ["score", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}
