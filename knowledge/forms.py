from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge.models import ArticleAttachment, ArticleTranslation
from tickets.services import TicketError, check_attachments

COMMENT_LENGTH = 2000


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the knowledge base"), max_length=200)


class FeedbackForm(forms.Form):
    """ "Was this helpful?": the button pressed says yes or no."""

    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("What was missing or wrong? (optional)"),
        required=False,
        max_length=COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ArticleTranslationForm(forms.ModelForm):
    class Meta:
        model = ArticleTranslation
        fields = ["language", "title", "slug", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "cols": 100})}


class ArticleAttachmentForm(forms.ModelForm):
    """A new file; its name, size and type are the service's to set."""

    class Meta:
        model = ArticleAttachment
        fields = ["file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is not None and self.instance.pk is None:
            try:
                check_attachments([upload])
            except TicketError as error:
                raise forms.ValidationError(str(error)) from error
        return upload
