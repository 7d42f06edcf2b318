from __future__ import annotations

from django import forms
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.figures import DIMENSIONS, LONGEST, Period
from tickets.forms import DateInput

DEFAULT_DAYS = 30


class ReportForm(forms.Form):
    """A period of Moscow days and what to group its tickets by."""

    first = forms.DateField(label=pgettext_lazy("period", "From"), widget=DateInput)
    last = forms.DateField(label=pgettext_lazy("period", "To"), widget=DateInput)
    by = forms.ChoiceField(
        label=_("Tickets by"),
        choices=[(key, dimension.label) for key, dimension in DIMENSIONS.items()],
    )

    @classmethod
    def for_query(cls, query) -> ReportForm:
        """Bound to the page's query, the last 30 days by agent filled in
        for what it lacks."""
        today = localdate()
        default = Period.ending(today, days=DEFAULT_DAYS)
        data = {
            "first": default.first.isoformat(),
            "last": default.last.isoformat(),
            "by": "agent",
        }
        data.update({name: query[name] for name in data if query.get(name)})
        return cls(data)

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise forms.ValidationError(
                    _("The period ends before it starts."), code="order"
                )
            if last - first >= LONGEST:
                raise forms.ValidationError(
                    _("A report covers at most %(days)d days.")
                    % {"days": LONGEST.days},
                    code="too_long",
                )
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["first"], self.cleaned_data["last"])
