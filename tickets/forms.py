from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localdate, make_aware
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python

from accounts import directory
from accounts.models import Licence, Organisation, User
from accounts.validators import normalise_licence_number
from tickets.cached_lists import (
    active_canned_responses,
    group_choices,
    macros_for,
    staff_choices,
)
from tickets.models import (
    CannedResponse,
    KeptUpload,
    Macro,
    Message,
    NotificationSettings,
    SatisfactionRating,
    SupportGroup,
    Tag,
    Ticket,
    TicketQuerySet,
)
from tickets.quick_html import escaped
from tickets.services import keep_uploads, licence_refusal

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


class KeptUploadsField(forms.Field):
    """Files kept from an earlier try of the form (`KeptUpload`), by code;
    only the owner's count, and one whose box is unticked is left out."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs: object) -> None:
        super().__init__(required=False, **kwargs)
        self.owner: User | None = None

    def clean(self, value: object) -> list[KeptUpload]:
        codes = []
        for item in value or []:
            try:
                codes.append(uuid.UUID(str(item)))
            except ValueError:
                continue
        if not codes or self.owner is None:
            return []
        return list(KeptUpload.objects.filter(owner=self.owner, code__in=codes))


class AttachingForm(forms.Form):
    """A form with attachments that keeps the chosen files when it comes
    back with an error: nobody has to choose them again."""

    attachments = MultipleFileField(label=_("Attachments"), required=False)
    kept = KeptUploadsField()

    def __init__(self, *args: object, owner: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["kept"].owner = owner
        self.kept_files: list[KeptUpload] = []

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:
            self.kept_files = list(self.cleaned_data.get("kept", []))

    def keep_chosen_files(self) -> None:
        """After an error: keep the files this try brought, beside those kept
        before, to be shown ticked and sent again with the form."""
        if not self.is_bound:
            return
        chosen = self.cleaned_data.get("attachments") or []
        self.kept_files += keep_uploads(self.owner, chosen)
        data = self.data.copy()
        data.setlist(self.add_prefix("kept"), [str(k.code) for k in self.kept_files])
        self.data = data


def _attributes(attrs: dict[str, object]) -> SafeString:
    """What django/forms/widgets/attrs.html writes, without a template."""
    return format_html_join(
        "",
        "{}{}",
        (
            (f" {name}", format_html('="{}"', value) if value is not True else "")
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


class QuickSelect(forms.Select):
    """A <select> written in Python, option for option as Django's template writes it.

    The template renders each option as a template of its own; the queue's
    filters and bulk form have a hundred options, which cost more than the
    rest of the page (measured in bench/README.md).
    """

    def render(
        self,
        name: str,
        value: object,
        attrs: dict[str, object] | None = None,
        renderer: object = None,
    ) -> SafeString:
        selected = set(self.format_value(value))
        chosen = False

        def option(option_value: object, label: object) -> str:
            # As Select.optgroups: one option selected unless multiple.
            nonlocal chosen
            text = "" if option_value is None else str(option_value)
            is_selected = text in selected and (
                self.allow_multiple_selected or not chosen
            )
            chosen = chosen or is_selected
            # Plain string building: format_html per option costs more than the
            # rest of the widget (bench/README.md).
            return (
                f'\n  <option value="{escaped(text)}"'
                f"{' selected' if is_selected else ''}>{escaped(label)}</option>"
            )

        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                grouped = SafeString("".join(option(*choice) for choice in label))
                options.append(
                    format_html(
                        '\n  <optgroup label="{}">{}\n  </optgroup>',
                        option_value,
                        grouped,
                    )
                )
            else:
                options.append(option(option_value, label))
        attributes = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attributes["multiple"] = True
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            _attributes(attributes),
            SafeString("".join(options)),
        )


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes written in Python, box for box as Django's templates write them.

    Django renders three templates a box; the staff ticket page's colleague
    boxes cost more than the rest of their form (bench/README.md). The boxes'
    values, ids and ticks still come from Django's `optgroups`.
    """

    def render(
        self,
        name: str,
        value: object,
        attrs: dict[str, object] | None = None,
        renderer: object = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, options, _index in widget["optgroups"]:
            boxes = "".join(self._box(option) for option in options)
            if group:
                boxes = f"\n  <div><label>{escaped(group)}</label>{boxes}\n  </div>"
            parts.append(boxes)
        outer = {
            key: widget["attrs"][key]
            for key in ("id", "class")
            if widget["attrs"].get(key)
        }
        return SafeString(f"<div{_attributes(outer)}>{''.join(parts)}\n</div>")

    @staticmethod
    def _box(option: dict) -> str:
        attrs = option["attrs"]
        value = (
            "" if option["value"] is None else f' value="{escaped(option["value"])}"'
        )
        # Newlines where the templates' files end, for the same HTML.
        box = (
            f'<input type="{option["type"]}" name="{escaped(option["name"])}"'
            f"{value}{_attributes(attrs)}>\n"
        )
        if option["wrap_label"]:
            label_for = f' for="{escaped(attrs["id"])}"' if attrs.get("id") else ""
            box = f"<label{label_for}>{box} {escaped(option['label'])}</label>"
        return f"<div>\n    {box}\n\n</div>"


class ListedChoices(ModelChoiceIterator):
    """Choices read by one plain query. Django's iterator reads them through
    `QuerySet.iterator()`, a server-side cursor on PostgreSQL: DECLARE, FETCH
    and CLOSE, three round trips for a dozen rows on every form shown."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # The field's own queryset: rows a form already read are not read again.
        for instance in self.queryset:
            yield self.choice(instance)


class ListedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoices


def list_choices(field: forms.ModelChoiceField, instances: Iterable[object]) -> None:
    """Show the field's choices from rows already read (a cached list). Its
    queryset, which checks what is sent, is needed only by a bound form."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [
        *empty,
        *((instance.pk, field.label_from_instance(instance)) for instance in instances),
    ]


class LicenceChoiceField(ListedModelChoiceField):
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


class ContactChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoices

    def label_from_instance(self, user: User) -> str:
        return f"{user.full_name} <{user.email}>"


class TicketForm(AttachingForm):
    field_order = [
        "licence",
        "subject",
        "description",
        "category",
        "priority",
        "contact_email",
        "contact_phone",
        "attachments",
        "cc",
    ]
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
    contact_phone = PhoneNumberField(label=_("Phone for this ticket"), required=False)
    cc = ContactChoiceField(
        label=_("Copy colleagues"),
        queryset=User.objects.none(),
        required=False,
        widget=QuickCheckboxes,
        help_text=_("They see the ticket and receive its e-mails."),
    )

    def __init__(self, *args: object, contact: User, **kwargs: object) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("contact_email", contact.email)  # type: ignore[index]
        kwargs["initial"].setdefault("contact_phone", contact.phone)  # type: ignore[index]
        super().__init__(*args, owner=contact, **kwargs)
        self.fields["licence"].queryset = (
            Licence.objects.visible_to(contact)
            .select_related("organisation")
            .with_periods()
        )
        self.fields["cc"].queryset = User.objects.colleagues_of(contact).order_by(
            "full_name"
        )

    def clean_licence(self) -> Licence:
        licence = self.cleaned_data["licence"]
        refusal = licence_refusal(licence)
        if refusal:
            raise forms.ValidationError(refusal)
        return licence


class ReplyForm(AttachingForm):
    field_order = ["body", "attachments"]
    body = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-markdown-preview": ""}),
    )


class StaffReplyForm(ReplyForm):
    """The staff composer: a reply, an internal note or a phone call, chosen
    before writing (default: a reply); one Send, optionally setting a status
    and applying a macro at once."""

    REPLY, NOTE, PHONE = "reply", "note", "phone"
    kind = forms.ChoiceField(
        label=_("What you write"),
        choices=[
            (REPLY, _("Reply")),
            (NOTE, _("Internal note")),
            (PHONE, _("Phone call")),
        ],
        required=False,
        initial=REPLY,
        widget=forms.RadioSelect,
    )
    # Sent by the button pressed: "Send" sends "", "Send and set: Solved"
    # sends "resolved"; the service checks the workflow allows it.
    then_status = forms.ChoiceField(
        choices=[("", ""), *Ticket.Status.choices], required=False
    )
    # "m<pk>" a macro, "c<pk>" a canned response (one picker for both).
    macro = forms.CharField(label=_("Macro or canned response"), required=False)
    # The newest message on the page when it was opened: a newer one by
    # someone else means a colleague (or the customer) wrote meanwhile. The
    # page shown again carries the newest, so sending again goes through.
    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or self.REPLY

    def clean_macro(self) -> Macro | CannedResponse | None:
        """The macro (the agent's own or a shared one) or canned response
        chosen, from the lists the page offered."""
        value = self.cleaned_data.get("macro", "")
        if not value:
            return None
        kind, pk = value[:1], value[1:]
        choices: list[Macro] | list[CannedResponse] = (
            macros_for(self.owner) if kind == "m" else active_canned_responses()
        )
        found = next((choice for choice in choices if str(choice.pk) == pk), None)
        if found is None:
            raise forms.ValidationError(
                _("That macro is no longer available: choose another.")
            )
        return found

    def chosen_macro(self) -> Macro | None:
        macro = self.cleaned_data.get("macro")
        return macro if isinstance(macro, Macro) else None

    def check_collision(self, ticket: Ticket, author: User) -> list[Message]:
        """Messages by others added since the page was opened."""
        seen = self.cleaned_data.get("seen")
        if seen is None:
            return []
        newer = list(
            Message.objects.filter(ticket=ticket, pk__gt=seen)
            .exclude(author=author)
            .select_related("author")
        )
        if newer:
            self.add_error(
                None,
                _(
                    "%(names)s wrote on this ticket while you were writing. Read "
                    "the new messages above; your text is kept below: send it "
                    "again if it still fits."
                )
                % {
                    "names": ", ".join(
                        sorted({m.author.get_full_name() for m in newer})
                    )
                },
            )
        return newer


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


class RatingCommentForm(forms.Form):
    """The comment beside a score chosen by a link in the closing e-mail."""

    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CopiedContactsForm(forms.Form):
    cc = ContactChoiceField(
        label=_("Colleagues copied on this ticket"),
        queryset=User.objects.none(),
        required=False,
        widget=QuickCheckboxes,
        help_text=_("They see the ticket and receive its e-mails."),
    )

    def __init__(self, *args: object, ticket: Ticket, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cc"]
        if self.is_bound:
            field.queryset = User.objects.contacts_of(ticket.organisation_id).exclude(
                pk=ticket.contact_id
            )
        colleagues = [
            contact
            for contact in directory.entry(ticket.organisation_id).contacts
            if contact.pk != ticket.contact_id
        ]
        list_choices(field, colleagues)
        if colleagues and not self.is_bound and "cc" not in self.initial:
            self.initial["cc"] = list(
                Ticket.cc.through.objects.filter(ticket=ticket).values_list(
                    "user_id", flat=True
                )
            )

    def has_colleagues(self) -> bool:
        return bool(self.fields["cc"].choices)


def _staff_users():
    return User.objects.active_staff().order_by("full_name")


class StaffChoiceField(ListedModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return user.get_full_name()


class TicketPropertiesForm(forms.Form):
    """Everything staff change about a ticket, saved at once."""

    # Left out: the status stays as it is.
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Ticket.Priority, widget=QuickSelect
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Ticket.Category, widget=QuickSelect
    )
    assignee = StaffChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    licence = ListedModelChoiceField(
        label=_("Licence"), queryset=Licence.objects.none(), widget=QuickSelect
    )
    group = ListedModelChoiceField(
        label=_("Group"),
        queryset=SupportGroup.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas."),
    )

    def __init__(self, *args: object, ticket: Ticket, **kwargs: object) -> None:
        kwargs.setdefault(
            "initial",
            {
                "status": ticket.status,
                "priority": ticket.priority,
                "category": ticket.category,
                "assignee": ticket.assignee_id,
                "licence": ticket.licence_id,
                "group": ticket.group_id,
                "tags": ticket.tag_names,
            },
        )
        super().__init__(*args, **kwargs)
        # Shown from cached lists; the querysets check what is sent.
        if self.is_bound:
            # The assignee may have left: kept unless changed.
            self.fields["assignee"].queryset = _staff_users() | User.objects.filter(
                pk=ticket.assignee_id
            )
            self.fields["licence"].queryset = Licence.objects.filter(
                organisation_id=ticket.organisation_id
            )
            # A group made inactive stays on its tickets unless changed.
            self.fields["group"].queryset = SupportGroup.objects.filter(
                Q(is_active=True) | Q(pk=ticket.group_id)
            )
        # The status it has and those the workflow allows from there.
        self.fields["status"].choices = [
            (value, label)
            for value, label in Ticket.Status.choices
            if value == ticket.status or ticket.can_move_to(value)
        ]
        staff = staff_choices()
        if ticket.assignee_id is not None and str(ticket.assignee_id) not in dict(
            staff
        ):
            staff = [(str(ticket.assignee_id), ticket.assignee.get_full_name()), *staff]
        self.fields["assignee"].choices = [("", "---------"), *staff]
        list_choices(
            self.fields["licence"], directory.entry(ticket.organisation_id).licences
        )
        groups = group_choices()
        if ticket.group_id is not None and str(ticket.group_id) not in dict(groups):
            groups = [(str(ticket.group_id), ticket.group.name), *groups]
        self.fields["group"].choices = [("", "---------"), *groups]

    def clean_tags(self) -> list[str]:
        return Tag.names_in(self.cleaned_data["tags"])


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["on_reply", "on_status_change", "on_customer_message"]


def _find_contact(text: str) -> User | None:
    """The one active contact with this e-mail, or with this phone in any form."""
    contacts = User.objects.contacts()
    if "@" in text:
        return contacts.filter(email__iexact=text).first()
    phone = to_python(text)
    if not phone.is_valid():
        return None
    found = list(contacts.filter(Q(phone=phone) | Q(mobile_phone=phone))[:2])
    return found[0] if len(found) == 1 else None


class StaffTicketForm(forms.Form):
    """Staff file a ticket for a customer: a call, a letter, a chat."""

    contact_email = forms.CharField(
        label=_("Contact's e-mail or phone"),
        max_length=254,
        help_text=_("A phone number in any form: 8 (912) 345-67-89, +7 912 3456789…"),
    )
    licence_number = forms.CharField(label=_("Licence number"), max_length=64)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Ticket.Channel, initial=Ticket.Channel.PHONE
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 8})
    )
    category = forms.ChoiceField(label=_("Category"), choices=Ticket.Category)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Ticket.Priority, initial=Ticket.Priority.NORMAL
    )
    override_reason = forms.CharField(
        label=_("Reason to file without active support"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when the licence's subscription is not active; it is recorded on the ticket."
        ),
    )

    def clean(self) -> dict:
        data = super().clean()
        email = data.get("contact_email", "").strip()
        number = normalise_licence_number(data.get("licence_number", ""))
        contact = _find_contact(email) if email else None
        if email and contact is None:
            self.add_error(
                "contact_email",
                _("No single active contact has this address or phone."),
            )
        licence = (
            Licence.objects.filter(number=number).select_related("organisation").first()
        )
        if number and licence is None:
            self.add_error("licence_number", _("No licence has this number."))
        elif contact is not None and licence is not None:
            if licence.organisation_id != contact.membership.organisation_id:
                self.add_error(
                    "licence_number", _("This licence belongs to another organisation.")
                )
            elif (
                licence_refusal(licence) and not data.get("override_reason", "").strip()
            ):
                self.add_error("override_reason", licence_refusal(licence))
        data["contact"], data["licence"] = contact, licence
        # The number the customer called from, when that is how they were
        # found; otherwise their own.
        typed = to_python(email) if email and "@" not in email else None
        if typed is not None and typed.is_valid():
            data["contact_phone"] = typed
        elif contact is not None:
            data["contact_phone"] = contact.phone or contact.mobile_phone
        else:
            data["contact_phone"] = ""
        return data


class AssignMailForm(forms.Form):
    """Staff file held mail: a contact, and either a licence or an existing ticket."""

    contact = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=User.objects.contacts()
        .filter(is_staff=False)
        .select_related("membership__organisation")
        .order_by("email"),
    )
    licence = forms.ModelChoiceField(
        label=_("Licence (for a new ticket)"),
        queryset=Licence.objects.select_related("organisation").order_by("number"),
        required=False,
    )
    reference = forms.CharField(
        label=_("Or the reference of an existing ticket"),
        max_length=20,
        required=False,
    )
    override_reason = StaffTicketForm.base_fields["override_reason"]

    def clean(self) -> dict:
        data = super().clean()
        reference = (data.get("reference") or "").strip().upper()
        if bool(data.get("licence")) == bool(reference):
            raise forms.ValidationError(_("Choose a licence or a ticket, not both."))
        licence = data.get("licence")
        if licence is not None and not data.get("override_reason", "").strip():
            # The same audited override as filing for a customer.
            refusal = licence_refusal(licence)
            if refusal:
                self.add_error("override_reason", refusal)
        data["ticket"] = None
        if reference:
            data["ticket"] = Ticket.objects.filter(reference=reference).first()
            if data["ticket"] is None:
                self.add_error(
                    "reference",
                    _("There is no ticket %(reference)s.") % {"reference": reference},
                )
        return data


def _start_of(day: datetime.date) -> datetime.datetime:
    return make_aware(datetime.datetime.combine(day, datetime.time.min))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        # The browser's date picker sends ISO dates whatever the language.
        super().__init__(attrs, format="%Y-%m-%d")


class QueueFilterForm(forms.Form):
    """The queue's filters; everything optional, wrong values are ignored."""

    NOBODY = "none"

    # The queue holds unsolved tickets only.
    status = forms.ChoiceField(
        label=_("Status"),
        widget=QuickSelect,
        choices=[
            ("", _("any")),
            *(
                (status.value, status.label)
                for status in (
                    Ticket.Status.NEW,
                    Ticket.Status.OPEN,
                    Ticket.Status.WAITING,
                )
            ),
        ],
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("any")), *Ticket.Priority.choices],
        widget=QuickSelect,
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("any")), *Ticket.Category.choices],
        widget=QuickSelect,
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("any")), *Ticket.Channel.choices],
        widget=QuickSelect,
    )
    assignee = forms.ChoiceField(label=_("Assignee"), widget=QuickSelect)
    group = forms.ChoiceField(label=_("Group"), widget=QuickSelect)
    tag = forms.CharField(label=_("Tag"), max_length=50)
    # Thousands of organisations and licences: typed, not picked from a list.
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("name or INN")}),
    )
    licence = forms.CharField(
        label=_("Licence"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("number or part of it")}),
    )
    product = forms.CharField(label=_("Product"), max_length=200)
    created_from = forms.DateField(label=_("Created from"), widget=DateInput)
    created_to = forms.DateField(label=_("Created to"), widget=DateInput)
    updated_from = forms.DateField(label=_("Updated from"), widget=DateInput)
    updated_to = forms.DateField(label=_("Updated to"), widget=DateInput)
    # What the dashboard's and the reports' charts open: the tickets behind
    # a bar or a point. Not offered in the filter bar; shown as chips.
    unsolved_on = forms.DateField(
        label=_("Unsolved at the end of"), widget=forms.HiddenInput
    )
    replied_from = forms.DateField(
        label=_("First reply from"), widget=forms.HiddenInput
    )
    replied_to = forms.DateField(label=_("First reply to"), widget=forms.HiddenInput)
    solved_from = forms.DateField(label=_("Solved from"), widget=forms.HiddenInput)
    solved_to = forms.DateField(label=_("Solved to"), widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", _("any")), *((n, str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        widget=forms.HiddenInput,
    )
    rated_from = forms.DateField(label=_("Rated from"), widget=forms.HiddenInput)
    rated_to = forms.DateField(label=_("Rated to"), widget=forms.HiddenInput)

    def __init__(
        self,
        *args: object,
        staff: list[tuple[str, str]] | None = None,
        groups: list[tuple[str, str]] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["assignee"].choices = [
            ("", _("any")),
            (self.NOBODY, _("nobody")),
            *(staff if staff is not None else staff_choices()),
        ]
        self.fields["group"].choices = [
            ("", _("any")),
            (self.NOBODY, _("none")),
            *(groups if groups is not None else group_choices()),
        ]

    def filter(self, tickets: TicketQuerySet) -> TicketQuerySet:
        """The tickets matching the valid filters (an invalid one is dropped)."""
        if not self.is_bound:
            return tickets
        self.is_valid()
        # `cleaned_data` holds only the fields that were valid.
        data = {name: value for name, value in self.cleaned_data.items() if value}
        for name in ("status", "priority", "category", "channel"):
            if data.get(name):
                tickets = tickets.filter(**{name: data[name]})
        assignee = data.get("assignee")
        if assignee == self.NOBODY:
            tickets = tickets.unassigned()
        elif assignee:
            tickets = tickets.filter(assignee_id=int(assignee))
        group = data.get("group")
        if group == self.NOBODY:
            tickets = tickets.filter(group=None)
        elif group:
            tickets = tickets.filter(group_id=int(group))
        if tag := Tag.normalise(data.get("tag", "")):
            tickets = tickets.filter(tags__name=tag)
        if organisation := data.get("organisation", "").strip():
            tickets = tickets.filter(
                organisation__in=Organisation.objects.filter(
                    Q(name__icontains=organisation) | Q(tax_id=organisation)
                ).values("pk")
            )
        if licence := data.get("licence", "").strip():
            tickets = tickets.filter(
                licence__in=Licence.objects.filter(number__icontains=licence).values(
                    "pk"
                )
            )
        if product := data.get("product", "").strip():
            tickets = tickets.filter(licence__product__iexact=product)
        if rating := data.get("rating"):
            tickets = tickets.filter(
                rating__in=SatisfactionRating.objects.counted().filter(score=rating)
            )
        if day := data.get("unsolved_on"):
            tickets = tickets.unsolved_at(_start_of(day + datetime.timedelta(days=1)))
        for field, name, end in (
            ("created_at", "created_from", False),
            ("created_at", "created_to", True),
            ("updated_at", "updated_from", False),
            ("updated_at", "updated_to", True),
            ("first_response_at", "replied_from", False),
            ("first_response_at", "replied_to", True),
            ("resolved_at", "solved_from", False),
            ("resolved_at", "solved_to", True),
            ("rating__created_at", "rated_from", False),
            ("rating__created_at", "rated_to", True),
        ):
            if day := data.get(name):
                # Whole days in the support desk's time zone, inclusive.
                bound = _start_of(day + datetime.timedelta(days=1) if end else day)
                lookup = "lt" if end else "gte"
                tickets = tickets.filter(**{f"{field}__{lookup}": bound})
        return tickets

    def chose_status(self) -> bool:
        """Whether `filter` kept to one status (always an unsolved one)."""
        return bool(getattr(self, "cleaned_data", {}).get("status"))


class TicketReferenceField(forms.CharField):
    """A ticket typed by its reference, found among the tickets the user may see."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.tickets: TicketQuerySet = Ticket.objects.none()
        self.widget.attrs.setdefault("placeholder", "HD-2026-000123")

    def clean(self, value: object) -> Ticket | None:
        reference = super().clean(value).strip()
        if not reference:
            return None
        ticket = self.tickets.filter(reference__iexact=reference).first()
        if ticket is None:
            raise forms.ValidationError(
                _("There is no ticket %(reference)s."),
                params={"reference": reference},
            )
        return ticket


class TicketReferenceForm(forms.Form):
    """Another ticket, by reference: to merge into or to link."""

    reference = TicketReferenceField(label=_("Ticket"))

    def __init__(
        self, *args: object, tickets: TicketQuerySet, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].tickets = tickets


class SavedFilterForm(forms.Form):
    """Keep the queue view being looked at under a name."""

    # The queue parameters worth keeping; anything else in the query is dropped.
    KEPT = ("view", "q", *QueueFilterForm.base_fields)

    name = forms.CharField(label=_("Name"), max_length=80)
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)

    def clean_query(self) -> str:
        return self.kept(QueryDict(self.cleaned_data["query"]))

    @classmethod
    def kept(cls, query: QueryDict) -> str:
        kept = QueryDict(mutable=True)
        for key in cls.KEPT:
            values = [value for value in query.getlist(key) if value]
            if values:
                kept.setlist(key, values)
        return kept.urlencode()


class BulkActionForm(forms.Form):
    """One change for the tickets checked in the queue."""

    class Action(models.TextChoices):
        ASSIGN = "assign", _("Assign to")
        STATUS = "status", _("Change status to")
        PRIORITY = "priority", _("Change priority to")
        MERGE = "merge", _("Merge into ticket")
        MACRO = "macro", _("Apply the macro")
        GROUP = "group", _("Move to the group")
        TAG = "tag", _("Add tags")

    # The one value field each action reads, and the error when it is empty.
    VALUE_FIELDS = {
        Action.ASSIGN: ("assignee", _("Choose whom to assign the tickets to.")),
        Action.STATUS: ("status", _("Choose the status to give the tickets.")),
        Action.PRIORITY: ("priority", _("Choose the priority to give the tickets.")),
        Action.GROUP: ("group", _("Choose the group to move the tickets to.")),
        Action.TAG: ("tags", _("Type the tags to add, separated by commas.")),
        Action.MERGE: ("into", _("Type the reference of the ticket to merge into.")),
        Action.MACRO: ("macro", _("Choose the macro to apply.")),
    }

    tickets = forms.ModelMultipleChoiceField(
        label=_("Tickets"),
        queryset=Ticket.objects.none(),
        to_field_name="reference",
        error_messages={
            "required": _("Choose at least one ticket: tick its box in the list."),
            "invalid_choice": _("Ticket %(value)s is not in your queue."),
        },
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", "—"), *Action.choices],
        widget=QuickSelect,
        error_messages={
            "required": _("Choose what to do with the chosen tickets."),
            "invalid_choice": _("Choose what to do with the chosen tickets."),
        },
    )
    assignee = StaffChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        widget=QuickSelect,
        error_messages={"invalid_choice": _("Choose whom to assign the tickets to.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), *Ticket.Status.choices],
        required=False,
        widget=QuickSelect,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", "—"), *Ticket.Priority.choices],
        required=False,
        widget=QuickSelect,
    )
    into = TicketReferenceField(label=_("Merge into"), required=False)
    macro = forms.ModelChoiceField(
        label=_("Macro"),
        queryset=Macro.objects.none(),
        required=False,
        widget=QuickSelect,
        error_messages={"invalid_choice": _("Choose the macro to apply.")},
    )
    group = ListedModelChoiceField(
        label=_("Group"),
        queryset=SupportGroup.objects.none(),
        required=False,
        widget=QuickSelect,
        error_messages={
            "invalid_choice": _("Choose the group to move the tickets to.")
        },
    )
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False)

    # Its own ids: the queue's filters have fields of the same names.
    AUTO_ID = "bulk_%s"
    # The list of tickets to tick, where an error about them links to.
    TICKETS_ID = AUTO_ID % "tickets"

    def __init__(
        self,
        *args: object,
        tickets: TicketQuerySet,
        user: User,
        staff: list[tuple[str, str]] | None = None,
        **kwargs: object,
    ) -> None:
        kwargs.setdefault("auto_id", self.AUTO_ID)
        super().__init__(*args, **kwargs)
        self.fields["tickets"].queryset = tickets
        self.fields["into"].tickets = tickets
        self.fields["assignee"].queryset = _staff_users()
        if staff is not None:
            # Shown from the list given; the queryset still checks what is sent.
            self.fields["assignee"].choices = [("", "—"), *staff]
        # Likewise the macros: shown from the cached list, checked against
        # the macros the user may apply.
        self.fields["macro"].queryset = Macro.objects.usable_by(user)
        self.fields["macro"].choices = [
            ("", "—"),
            *((macro.pk, macro.title) for macro in macros_for(user)),
        ]
        self.fields["group"].queryset = SupportGroup.objects.filter(is_active=True)
        self.fields["group"].choices = [("", "—"), *group_choices()]

    def clean_tags(self) -> list[str]:
        return Tag.names_in(self.cleaned_data["tags"])

    def value_fields(self) -> list[tuple[str, forms.BoundField]]:
        """(action, its value field), for the page to show only the chosen one."""
        return [
            (action, self[name]) for action, (name, _error) in self.VALUE_FIELDS.items()
        ]

    def clean(self) -> dict:
        data = super().clean()
        name, error = self.VALUE_FIELDS.get(data.get("action"), ("", ""))
        if name and not data.get(name) and name not in self.errors:
            self.add_error(name, error)
        return data
