"""Keyset paging: a page goes on after the last row of the page before, named
in the URL as "<moment>_<pk>", so no page needs OFFSET or COUNT and the last
page costs what the first does. The queue's moment is the SLA deadline, which
a ticket may lack; the ticket list's is the last public activity."""

from __future__ import annotations

import datetime


def cursor(moment: datetime.datetime | None, pk: int) -> str:
    return f"{moment.isoformat() if moment else ''}_{pk}"


def parse(text: str) -> tuple[datetime.datetime | None, int] | None:
    """(moment, pk) of a cursor, the moment None when it was empty; None when
    the text is not a cursor of ours."""
    moment_text, _sep, pk_text = text.rpartition("_")
    try:
        pk = int(pk_text)
        moment = datetime.datetime.fromisoformat(moment_text) if moment_text else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        return None
    return moment, pk
