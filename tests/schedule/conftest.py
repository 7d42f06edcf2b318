from __future__ import annotations

from collections.abc import Iterator

import pytest

from schedule import current
from schedule.hours import Calendar
from tests.schedule.support import xml_calendar


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    """Each test starts and ends with no calendar cached in the process: a
    rolled-back test transaction must not leave its overrides behind."""
    current.forget()
    yield
    current.forget()


@pytest.fixture(scope="session")
def calendar() -> Calendar:
    """The shipped years as a pure calendar, without the database."""
    return xml_calendar()
