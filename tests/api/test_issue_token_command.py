from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_working_token_once(api, admin_user) -> None:
    out = io.StringIO()

    call_command(
        "issue_token",
        "Биллинг",
        user=admin_user.email,
        scopes="licences:write",
        stdout=out,
    )

    text = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.scopes == ["licences:write"]
    assert ApiToken.objects.authenticate(text) == token


def test_the_command_refuses_a_customer_and_an_unknown_scope(
    customer, admin_user
) -> None:
    with pytest.raises(CommandError):
        call_command("issue_token", "X", user=customer.email, scopes="licences:write")
    with pytest.raises(CommandError, match=r"Unknown scopes|Неизвестные"):
        call_command("issue_token", "X", user=admin_user.email, scopes="everything")
