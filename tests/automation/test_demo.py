from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import Licence, User
from automation.models import Rule
from tests.automation.conftest import file
from tickets.models import SupportGroup

pytestmark = pytest.mark.django_db


def test_the_demo_routes_a_malfunction_to_the_second_line(capsys) -> None:
    call_command("seed_demo")
    call_command("seed_demo_automation")
    call_command("seed_demo_automation")

    assert Rule.objects.count() == 6
    assert SupportGroup.objects.count() == 2
    customer = User.objects.get(email="customer@example.com")
    licence = Licence.objects.get(number="RMSK-0001-SRVR-2026")
    crash = file(customer, licence, "Сервер падает при входе")
    question = file(customer, licence, "Как включить журнал аудита")
    assert crash.group.name == "Вторая линия"
    assert crash.tag_names == "сбой"
    assert question.group.name == "Первая линия"
