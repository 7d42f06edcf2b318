from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from schedule import current
from schedule.hours import Reason
from schedule.models import DateOverride
from tests.schedule.support import msk

pytestmark = pytest.mark.django_db


def test_an_override_closes_a_working_day() -> None:
    DateOverride.objects.create(date=dt.date(2026, 1, 13), note="Company event")

    assert current.status(msk(2026, 1, 13, 12)) == (
        False,
        msk(2026, 1, 14, 7),
        Reason.OVERRIDE,
    )
    assert current.status(msk(2026, 1, 12, 20)).opens_at == msk(2026, 1, 14, 7)


def test_an_override_opens_a_sunday_with_custom_hours() -> None:
    DateOverride.objects.create(
        date=dt.date(2026, 1, 18),
        is_closed=False,
        opens_at=dt.time(10),
        closes_at=dt.time(14),
    )

    assert current.status(msk(2026, 1, 17, 17)).opens_at == msk(2026, 1, 18, 10)
    assert current.status(msk(2026, 1, 18, 10)) == (
        True,
        msk(2026, 1, 18, 14),
        Reason.OVERRIDE,
    )


def test_an_override_beats_a_public_holiday() -> None:
    DateOverride.objects.create(
        date=dt.date(2027, 1, 4),
        is_closed=False,
        opens_at=dt.time(10),
        closes_at=dt.time(12),
    )

    assert current.status(msk(2026, 12, 31, 20)).opens_at == msk(2027, 1, 4, 10)


def test_an_override_needs_hours_or_closed() -> None:
    with pytest.raises(ValidationError):
        DateOverride(date=dt.date(2026, 1, 13), is_closed=False).full_clean()
    with pytest.raises(ValidationError):
        DateOverride(
            date=dt.date(2026, 1, 13),
            is_closed=False,
            opens_at=dt.time(14),
            closes_at=dt.time(10),
        ).full_clean()
