from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone, localdate, localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from schedule import current as support_hours
from tickets.markdown import render_markdown
from tickets.models import Message
from tickets.quick_html import escaped

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text or "")


@register.filter
def file_size(size: int) -> str:
    return filesizeformat(size)


@register.filter
def quote_parts(message: Message) -> tuple[str, str]:
    """(new text, quoted history) of an e-mailed message; the history is folded."""
    return message.quote_parts()


@register.filter
def support_time(duration: datetime.timedelta | None) -> str:
    """A span of support time as hours and minutes ("26 h 05 min"), never days:
    a support day is not 24 hours."""
    if duration is None:
        return ""
    minutes = max(int(duration.total_seconds() // 60), 0)
    return _("%(hours)d h %(minutes)02d min") % {
        "hours": minutes // 60,
        "minutes": minutes % 60,
    }


# Pages list dozens of times; Django's `date` filter parses its format and
# localises every call, while these formats have no words to translate.
@register.filter
def day_time(moment: datetime.datetime | None) -> str:
    """As `date:"d.m.Y H:i"`, 25.11.2026 14:03, in the user's time zone."""
    return localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else ""


@register.filter
def due_time(due: datetime.datetime | None) -> str:
    """A deadline as `day_time` shows it, at the instant its open time runs
    out: a closing rather than the next opening (`deadline_as_read`)."""
    return day_time(support_hours.deadline_as_read(due)) if due else ""


@register.filter
def when_in_sentence(moment: datetime.datetime | None) -> str:
    """An opening as a sentence names it, "Monday, 7 December, 07:00": in
    Russian the weekday starts in lower case mid-sentence («понедельник»)."""
    if moment is None:
        return ""
    text = date_format(localtime(moment), "l, j E, H:i")
    return text[:1].lower() + text[1:] if get_language() == "ru" else text


@register.filter
def iso(moment: datetime.datetime | None) -> str:
    """As `date:"c"`, for <time datetime>, in the user's time zone."""
    return localtime(moment).isoformat() if moment else ""


@register.simple_tag
def sla_clock(clock, due: datetime.datetime | None) -> SafeString:
    """A queue row's SLA cell; a tag, not an include, because the queue shows
    one per row (an include costs a template lookup and a context each time)."""
    if clock.kind == "paused":
        return SafeString(
            f'<span class="sla-clock sla-paused">{escaped(_("paused"))}</span>'
        )
    if clock.kind not in ("overdue", "running"):
        return SafeString("—")
    time = support_time(clock.support_time)
    # Read once for the badge and the title: one calendar look-up a row.
    read = support_hours.deadline_as_read(due) if due else None
    if clock.kind == "overdue":
        css, text = " sla-overdue", _("overdue %(time)s") % {"time": time}
    else:
        css, text = _urgency(clock, read), _("%(time)s left") % {"time": time}
    return SafeString(
        f'<span class="sla-clock{css}" title="{day_time(read)}">{escaped(text)}</span>'
    )


def _urgency(clock, read: datetime.datetime | None) -> str:
    """A running clock's badge: under a support hour left, due today (in
    Moscow), or later; `read` is the deadline as `deadline_as_read` gives it."""
    if clock.support_time.total_seconds() <= 3600:
        return " sla-soon"
    if read is not None and localdate(read) == localdate():
        return " sla-today"
    return " sla-later"


@register.filter
def negate(duration: datetime.timedelta | None) -> datetime.timedelta | None:
    return -duration if duration is not None else None


@register.simple_tag(takes_context=True)
def queue_rows(context: template.Context, rows) -> SafeString:
    """The queue's table rows. Written in Python, as Django's admin writes the
    rows of its change lists: as template code the rows cost a third of the
    page, and the queue missed its target (bench/README.md)."""
    take = _TakeForm(
        back=escaped(context.get("page_url") or context.request.get_full_path()),
        token=escaped(context.get("csrf_token", "")),
        label=escaped(_("Take")),
    )
    texts = _RowTexts(
        select=_("Select %(reference)s"),
        take_label=_("Take %(reference)s"),
        answered=escaped(_("customer answered")),
        nobody=escaped(_("nobody")),
        labels=tuple(
            escaped(label)
            for label in (
                _("Organisation"),
                _("Priority"),
                _("Status"),
                _("Assignee"),
                _("Customer wrote"),
                _("SLA"),
            )
        ),
    )
    selected = context.get("selected") or frozenset()
    zone = get_current_timezone()
    return SafeString(
        "".join(
            _queue_row(row, take, texts, zone, row.reference in selected)
            for row in rows
        )
    )


@register.simple_tag
def ticket_list_rows(tickets) -> SafeString:
    """The customer's ticket list rows, written in Python as the queue's are:
    as template code, with a `reverse()` a row, they were a third of the page
    (bench/README.md, the organisation list's target)."""
    detail_url = reverse("tickets:detail", args=["REFERENCE"])
    new_reply = escaped(_("New reply"))
    zone = get_current_timezone()
    return SafeString(
        "".join(
            _ticket_list_row(ticket, detail_url, new_reply, zone) for ticket in tickets
        )
    )


def _ticket_list_row(ticket, detail_url: str, new_reply: str, zone) -> str:
    # References are letters, digits and hyphens, which a URL takes as they are.
    url = escaped(detail_url.replace("REFERENCE", ticket.reference))
    row_class = badge = anchor = ""
    if ticket.has_new_reply:
        row_class = ' class="has-new-reply"'
        badge = f' <span class="badge badge-new">{new_reply}</span>'
        anchor = "#new"
    moment = iso = shown = ""
    if ticket.last_activity_at:
        moment = ticket.last_activity_at.astimezone(zone)
        iso, shown = moment.isoformat(), moment.strftime("%d.%m.%Y %H:%M")
    status = escaped(ticket.status)
    return (
        f"\n<tr{row_class}>"
        f'<td class="reference"><a href="{url}">'
        f"<code>{escaped(ticket.reference)}</code></a></td>"
        f'<td class="subject"><a href="{url}{anchor}">{escaped(ticket.subject)}</a>'
        f"{badge}</td>"
        f'<td><span class="status status-{status}">'
        f"{escaped(ticket.get_status_display())}</span></td>"
        f'<td class="secondary-column"><code>{escaped(ticket.licence.number)}</code></td>'
        f'<td class="secondary-column">{escaped(ticket.contact.full_name)}</td>'
        f'<td class="activity"><time datetime="{iso}">{shown}</time></td>'
        "</tr>"
    )


@dataclass(frozen=True, slots=True)
class _RowTexts:
    """A queue row's fixed texts, translated once a page."""

    select: str
    take_label: str
    answered: str
    nobody: str
    # Each cell's column, shown beside its value when rows become cards.
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _TakeForm:
    """The "Take" button of an unassigned row; back to this page after."""

    back: str
    token: str
    label: str

    def html(self, reference: str, name: str) -> str:
        url = escaped(reverse("tickets_staff:take", args=[reference]))
        # Quiet, beside "nobody": the row's link to the ticket is its primary
        # action.
        return (
            f'<form method="post" action="{url}" class="inline-form take-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.token}">'
            f'<input type="hidden" name="next" value="{self.back}">'
            f'<button type="submit" class="secondary small take"'
            f' aria-label="{escaped(name)}">{self.label}</button>'
            "</form>"
        )


def _queue_row(
    row, take: _TakeForm, texts: _RowTexts, zone: datetime.tzinfo, checked: bool
) -> str:
    reference = escaped(row.reference)
    url = escaped(row.url)
    select = escaped(texts.select % {"reference": row.reference})
    if row.assignee:
        assignee = escaped(row.assignee)
    else:
        name = texts.take_label % {"reference": row.reference}
        assignee = f"{texts.nobody} {take.html(row.reference, name)}"
    if row.customer_wrote:
        wrote = (
            f'<time datetime="{row.customer_wrote_at.astimezone(zone).isoformat()}">'
            f"{escaped(row.customer_wrote)}</time>"
        )
    else:
        wrote = "—"
    # A word as well as the mark: not colour or a symbol alone.
    answered = (
        f' <span class="answered"><span aria-hidden="true">↩</span>'
        f" {texts.answered}</span>"
        if row.answered
        else ""
    )
    # The group and tags under the subject: no column more on a phone.
    meta = " · ".join(escaped(part) for part in (row.group, row.tags) if part)
    if meta:
        meta = f' <span class="row-meta">{meta}</span>'
    organisation, priority, status, assignee_label, wrote_label, sla = texts.labels
    return (
        f'\n<tr data-reference="{reference}">'
        f'<td class="cell-select"><input type="checkbox" name="tickets"'
        f' value="{reference}" form="bulk-form" aria-label="{select}"'
        f"{' checked' if checked else ''}></td>"
        f'<td class="cell-reference"><a href="{url}"><code>{reference}</code></a></td>'
        f'<td class="cell-subject"><a href="{url}">{escaped(row.subject)}</a>'
        f"{answered}{meta}</td>"
        f'<td class="cell-organisation" data-label="{organisation}">'
        f"{escaped(row.organisation)}</td>"
        f'<td class="cell-priority" data-label="{priority}">'
        f'<span class="priority priority-{escaped(row.priority)}">'
        f"{escaped(row.priority_label)}</span></td>"
        f'<td class="cell-status" data-label="{status}">'
        f'<span class="status status-{escaped(row.status)}">'
        f"{escaped(row.status_label)}</span></td>"
        f'<td class="cell-assignee" data-label="{assignee_label}">{assignee}</td>'
        f'<td class="cell-wrote" data-label="{wrote_label}">{wrote}</td>'
        f'<td class="cell-sla" data-label="{sla}">{sla_clock(row.clock, row.due)}'
        "</td></tr>"
    )


@register.simple_tag
def sla_segments(segments) -> SafeString:
    """The SLA timeline's segments (up to 40 on a staff ticket page), written in
    Python like the queue's rows: as template code they cost a sixth of the
    staff ticket page, which missed its target (bench/README.md)."""
    zone = get_current_timezone()
    return SafeString("".join(_sla_segment(segment, zone) for segment in segments))


def _sla_segment(segment, zone: datetime.tzinfo) -> str:
    start, end = segment.start.astimezone(zone), segment.end.astimezone(zone)
    return (
        f'\n<li class="sla-segment sla-{escaped(segment.kind)}">'
        f'<time datetime="{start.isoformat()}">{start:%d.%m %H:%M}</time>–'
        f'<time datetime="{end.isoformat()}">{end:%d.%m %H:%M}</time> '
        f"{escaped(_segment_text(segment))}</li>"
    )


def _segment_text(segment) -> str:
    if segment.kind == "running":
        return _("clock running, %(time)s") % {
            "time": support_time(segment.support_time)
        }
    if segment.kind == "waiting":
        return _("paused: waiting for the customer")
    if segment.kind == "stopped":
        return _("stopped: resolved or closed")
    if segment.reason == "holiday":
        if segment.holiday:
            return _("support closed: %(holiday)s") % {"holiday": segment.holiday}
        return _("support closed: holiday")
    if segment.reason == "weekend":
        return _("support closed: weekend")
    return _("support closed: outside support hours")
