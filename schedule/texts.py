"""What people read about the support hours: the banner and the day labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from schedule.hours import Day, Reason, Status

# The production calendar files give the official Russian titles; English
# visitors read these translations (Russian msgstr = the official title).
HOLIDAY_NAMES = {
    "Новогодние каникулы": gettext_lazy("New Year holidays"),
    "Рождество Христово": gettext_lazy("Orthodox Christmas"),
    "День защитника Отечества": gettext_lazy("Defender of the Fatherland Day"),
    "Международный женский день": gettext_lazy("International Women's Day"),
    "Праздник Весны и Труда": gettext_lazy("Spring and Labour Day"),
    "День Победы": gettext_lazy("Victory Day"),
    "День России": gettext_lazy("Russia Day"),
    "День народного единства": gettext_lazy("Unity Day"),
}

# Russian declines the weekday after "в" ("в среду", "во вторник"), so the
# date filter's nominative "среда" cannot follow a fixed preposition.
ON_WEEKDAY = (
    pgettext_lazy("support opens", "on Monday"),
    pgettext_lazy("support opens", "on Tuesday"),
    pgettext_lazy("support opens", "on Wednesday"),
    pgettext_lazy("support opens", "on Thursday"),
    pgettext_lazy("support opens", "on Friday"),
    pgettext_lazy("support opens", "on Saturday"),
    pgettext_lazy("support opens", "on Sunday"),
)


@dataclass(frozen=True)
class Banner:
    is_open: bool
    message: str
    # The instant the message names (closing or opening), for local-time.js.
    changes_at: dt.datetime | None

    @property
    def changes_at_iso(self) -> str:
        return self.changes_at.isoformat() if self.changes_at else ""


def holiday_name(title: str) -> str:
    return str(HOLIDAY_NAMES.get(title.strip(), title))


def banner(status: Status, today: dt.date) -> Banner:
    """The banner's sentence for a status, `today` being the Moscow date."""
    if status.is_open:
        closes = status.changes_at
        assert closes is not None
        return Banner(
            True,
            _("Support is open until %(time)s Moscow time") % {"time": _hm(closes)},
            closes,
        )
    opens = status.changes_at
    if opens is None:
        return Banner(False, _("Support is closed."), None)
    if opens.date() == today:
        message = _("Support is closed; it opens today at %(time)s Moscow time")
    elif opens.date() == today + dt.timedelta(days=1):
        message = _("Support is closed; it opens tomorrow at %(time)s Moscow time")
    else:
        message = _(
            "Support is closed; it opens %(weekday)s, %(date)s, at %(time)s Moscow time"
        )
    return Banner(
        False,
        message
        % {
            "weekday": ON_WEEKDAY[opens.weekday()],
            "date": date_format(opens, "j E"),
            "time": _hm(opens),
        },
        opens,
    )


def hours_text(day: Day) -> str:
    """ "07:00–19:00", "09:00–13:00, 14:00–16:00" or "closed"."""
    if not day.openings:
        return _("closed")
    return ", ".join(
        f"{_hm(o.local_opens)}–{_hm(o.local_closes)}" for o in day.openings
    )


def day_label(day: Day) -> str:
    """Why a day differs from the weekly hours, in a few words."""
    if day.reason == Reason.HOLIDAY:
        if day.holiday:
            return _("Public holiday: %(name)s") % {"name": holiday_name(day.holiday)}
        if day.moved_from:
            return _("Day off, moved from %(date)s") % {
                "date": date_format(day.moved_from, "j E")
            }
        return _("Day off")
    if day.reason == Reason.SHORTENED:
        if day.date.weekday() >= 5:
            return _("Working day instead of a day off, shortened before the holiday")
        return _("Shortened pre-holiday day")
    if day.reason == Reason.TRANSFERRED_WORKDAY:
        return _("Working day instead of a day off")
    if day.reason == Reason.OVERRIDE:
        return day.note or _("Special hours")
    return ""


def _hm(instant: dt.datetime) -> str:
    return f"{instant:%H:%M}"
