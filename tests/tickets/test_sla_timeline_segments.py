"""The SLA timeline's segments, as the `sla_segments` tag writes them."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tests.schedule.support import msk
from tickets.sla import Segment, SegmentKind

TIMELINE = Template("{% load tickets_tags %}{% sla_segments segments %}")
START, END = msk(2026, 3, 6, 19), msk(2026, 3, 9, 7)


def segments_html(*segments: Segment, language: str = "en") -> str:
    with translation.override(language):
        return TIMELINE.render(Context({"segments": segments})).strip()


@pytest.mark.parametrize(
    ("segment", "text"),
    [
        (
            Segment(
                SegmentKind.RUNNING,
                START,
                END,
                support_time=datetime.timedelta(hours=2, minutes=5),
            ),
            "clock running, 2 h 05 min",
        ),
        (Segment(SegmentKind.WAITING, START, END), "paused: waiting for the customer"),
        (Segment(SegmentKind.STOPPED, START, END), "stopped: resolved or closed"),
        (
            Segment(SegmentKind.SUPPORT_CLOSED, START, END, reason="weekend"),
            "support closed: weekend",
        ),
        (
            Segment(SegmentKind.SUPPORT_CLOSED, START, END, reason="night"),
            "support closed: outside support hours",
        ),
        (
            Segment(SegmentKind.SUPPORT_CLOSED, START, END, reason="holiday"),
            "support closed: holiday",
        ),
        (
            Segment(
                SegmentKind.SUPPORT_CLOSED,
                START,
                END,
                reason="holiday",
                holiday="International Women's Day",
            ),
            "support closed: International Women&#x27;s Day",
        ),
    ],
)
def test_each_kind_of_segment(segment, text) -> None:
    assert segments_html(segment) == (
        f'<li class="sla-segment sla-{segment.kind}">'
        '<time datetime="2026-03-06T19:00:00+03:00">06.03 19:00</time>–'
        f'<time datetime="2026-03-09T07:00:00+03:00">09.03 07:00</time> {text}</li>'
    )


def test_segments_in_russian_in_order() -> None:
    html = segments_html(
        Segment(SegmentKind.WAITING, START, END),
        Segment(SegmentKind.SUPPORT_CLOSED, START, END, reason="weekend"),
        language="ru",
    )

    assert html.index("на паузе: ждём ответа клиента") < html.index(
        "поддержка не работает: выходной"
    )


def test_times_are_shown_in_the_readers_time_zone() -> None:
    with timezone.override("Asia/Yekaterinburg"):
        html = segments_html(Segment(SegmentKind.WAITING, START, END))

    assert '<time datetime="2026-03-06T21:00:00+05:00">06.03 21:00</time>' in html


def test_a_holiday_name_is_escaped() -> None:
    html = segments_html(
        Segment(
            SegmentKind.SUPPORT_CLOSED,
            START,
            END,
            reason="holiday",
            holiday="<script>alert(1)</script>",
        )
    )

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
