from __future__ import annotations

import pytest
import time_machine

from tests.schedule.support import msk

pytestmark = pytest.mark.django_db

URL = "/api/schedule/status"


def test_open_answers_when_it_closes(client) -> None:
    response = client.get(URL, {"at": "2026-01-12T12:00:00+03:00"})

    assert response.status_code == 200
    assert response.json() == {
        "open": True,
        "at": "2026-01-12T12:00:00+03:00",
        "closes_at": "2026-01-12T19:00:00+03:00",
        "opens_at": None,
        "reason": "weekday",
    }


def test_closed_answers_when_it_opens_however_many_holidays_away(client) -> None:
    response = client.get(URL, {"at": "2026-12-31T17:00:00Z"})

    assert response.json() == {
        "open": False,
        "at": "2026-12-31T20:00:00+03:00",
        "closes_at": None,
        "opens_at": "2027-01-09T09:00:00+03:00",
        "reason": "holiday",
    }


def test_at_closing_time_sharp_support_is_closed(client) -> None:
    body = client.get(URL, {"at": "2026-01-12T19:00:00+03:00"}).json()

    assert body["open"] is False
    assert body["opens_at"] == "2026-01-13T07:00:00+03:00"


def test_without_at_it_answers_for_now(client) -> None:
    with time_machine.travel(msk(2026, 4, 30, 17, 30), tick=False):
        body = client.get(URL).json()

    assert body["at"] == "2026-04-30T17:30:00+03:00"
    assert body["closes_at"] == "2026-04-30T18:00:00+03:00"
    assert body["reason"] == "shortened"


def test_a_plus_sign_lost_in_the_query_string_still_works(client) -> None:
    # "?at=...T12:00:00+03:00" typed unencoded: the "+" arrives as a space.
    response = client.get(f"{URL}?at=2026-01-12T12:00:00+03:00")

    assert response.status_code == 200
    assert response.json()["at"] == "2026-01-12T12:00:00+03:00"


@pytest.mark.parametrize("at", ["yesterday", "2026-13-01T10:00:00+03:00", ""])
def test_a_bad_at_is_a_400_saying_why(client, at: str) -> None:
    response = client.get(URL, {"at": at}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "ISO 8601" in response.json()["error"]


def test_a_naive_at_is_a_400_not_a_guess(client) -> None:
    response = client.get(URL, {"at": "2026-01-12T12:00:00"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "no UTC offset" in response.json()["error"]
    assert "2026-01-12T12:00:00+03:00" in response.json()["error"]


def test_it_is_public_cacheable_and_open_to_other_origins(client) -> None:
    response = client.get(URL, {"at": "2026-01-12T12:00:00+03:00"})

    assert response.status_code == 200  # no login, despite LoginRequiredMiddleware
    assert "max-age=30" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_errors_reach_other_origins_too(client) -> None:
    response = client.get(URL, {"at": "nonsense"})

    assert response["Access-Control-Allow-Origin"] == "*"


def test_it_only_reads(client) -> None:
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200
