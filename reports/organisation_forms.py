from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.formats import date_format
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from reports.organisation import LONGEST_MONTHS, Months, month_of, months_after

# How far back the months may be chosen: a customer's history beyond five
# years is the supervisors' to report.
OFFERED_MONTHS = 60


def _value(month: dt.date) -> str:
    return month.strftime("%Y-%m")


class MonthsForm(forms.Form):
    """A range of whole Moscow months, picked from lists: a month input is
    a plain text box in some browsers."""

    first = forms.ChoiceField(label=pgettext_lazy("period", "From"))
    last = forms.ChoiceField(label=pgettext_lazy("period", "To"))

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        this_month = month_of(today)
        # The newest first; the month under way too, for its figures so far.
        offered = [months_after(this_month, -n) for n in range(OFFERED_MONTHS)]
        choices = [(_value(month), date_format(month, "F Y")) for month in offered]
        self.fields["first"].choices = choices
        self.fields["last"].choices = choices

    @classmethod
    def for_query(cls, query, *, today: dt.date | None = None) -> MonthsForm:
        """Bound to the page's query, the last 12 whole months filled in for
        what it lacks."""
        today = today or localdate()
        default = Months.before(today)
        data = {"first": _value(default.first), "last": _value(default.last)}
        data.update({name: query[name] for name in data if query.get(name)})
        return cls(data, today=today)

    def clean(self) -> dict:
        data = super().clean()
        if "first" in data and "last" in data:
            first, last = (
                dt.date.fromisoformat(f"{data[name]}-01") for name in ("first", "last")
            )
            if first > last:
                raise forms.ValidationError(
                    _("The period ends before it starts."), code="order"
                )
            if Months(first, last).count > LONGEST_MONTHS:
                raise forms.ValidationError(
                    ngettext(
                        "The figures cover at most %(count)d month.",
                        "The figures cover at most %(count)d months.",
                        LONGEST_MONTHS,
                    )
                    % {"count": LONGEST_MONTHS},
                    code="too_long",
                )
            data["months"] = Months(first, last)
        return data

    def months(self) -> Months:
        return self.cleaned_data["months"]
