"""SQLite (the `make run` default) gets Python's Unicode case folding as CASEFOLD(),
since its own LOWER() and LIKE fold Latin letters only."""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.dispatch import receiver


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


@receiver(connection_created)
def add_casefold(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "CASEFOLD", 1, _casefold, deterministic=True
        )
