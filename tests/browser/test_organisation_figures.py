"""A manager's statistics on a phone: 24 months of columns scroll inside
their own box, and the page itself never scrolls sideways; axe finds nothing
on the page full of figures (the every-page sweep sees it nearly empty)."""

from __future__ import annotations

import pytest
from django.utils.timezone import localdate

from reports.organisation import month_of, months_after
from tests.auth import sign_in
from tests.browser.test_every_page import AXE, DESKTOP, _violations
from tests.factories import LicenceFactory
from tests.schedule.support import msk
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = """() => {
  const boxes = [...document.querySelectorAll(".table-scroll")];
  return {
    page: document.documentElement.scrollWidth,
    widestBox: Math.max(...boxes.map((box) => box.getBoundingClientRect().right)),
    tableScrolls: boxes[0].scrollWidth > boxes[0].clientWidth,
  };
}"""


def test_the_statistics_fit_a_phone(
    browser, live_server, client, customer, organisation
) -> None:
    last = months_after(month_of(localdate()), -1)
    first = months_after(last, -23)
    for n in range(3):
        licence = LicenceFactory(
            organisation=organisation, number=f"ALFA-{n:04d}-LONG-NUMBER-{n:04d}"
        )
        for month in range(0, 24, 5):
            start = months_after(first, month + n % 2)
            Ticket.objects.create(
                reference=f"HD-{start.year}-{n * 100 + month:06d}",
                organisation=organisation,
                licence=licence,
                contact=customer,
                contact_email=customer.email,
                subject="Вопрос",
                category=Ticket.Category.OTHER,
                status=Ticket.Status.OPEN,
                created_at=msk(start.year, start.month, 2, 12),
                first_response_support_seconds=5400,
                first_response_met=True,
            )
    sign_in(client, customer)
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 390, "height": 844}
    )
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": "ru", "url": live_server.url},
        ]
    )
    context.add_init_script(AXE)
    tab = context.new_page()
    tab.goto(
        f"{live_server.url}/organisation/figures/?first={first:%Y-%m}&last={last:%Y-%m}"
    )

    widths = tab.evaluate(WIDTHS)
    rows = tab.locator("table.organisation-table").first.locator("tbody tr").count()
    on_the_phone = _violations(tab)
    tab.set_viewport_size(DESKTOP)
    on_a_desktop = _violations(tab)
    context.close()

    assert rows == 3
    assert widths["tableScrolls"]
    assert widths["page"] <= 390
    assert widths["widestBox"] <= 390
    assert (on_the_phone, on_a_desktop) == ([], [])
