"""The organisation directory (accounts.directory) is read once and cached
until one of its rows changes: every change shows on the next ticket page.

Transactional: values are cached only outside a transaction, and the cache
learns of a change after its commit.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate

from accounts.licence_import import apply_import, preview_import
from accounts.models import LicenceImport, Membership, SubscriptionPeriod
from accounts.services import renew_subscription
from tests.factories import LicenceFactory, MembershipFactory
from tickets.models import Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sla_targets"),
]


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def directory_sql(captured: CaptureQueriesContext) -> str:
    """The request's queries but the signed-in user's own row, which is read
    with their membership on every request (`accounts.backends`)."""
    return " ".join(
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith('SELECT "accounts_user"."id"')
    )


def support_badge(html: str) -> str:
    start = html.index('class="badge badge-')
    return html[start : html.index("</span>", start)]


def licence_choices(html: str) -> str:
    start = html.index('name="licence"')
    return html[start : html.index("</select>", start)]


def colleague_boxes(html: str) -> str:
    if 'name="cc"' not in html:
        return ""
    start = html.index('name="cc"')
    return html[start : html.index("</fieldset>", start)]


def test_the_second_page_reads_no_licence_period_or_colleague(
    staff_client, ticket, colleague, agent
) -> None:
    ticket.assignee = agent
    ticket.save()
    first = page(staff_client, ticket)

    with CaptureQueriesContext(connection) as captured:
        second = page(staff_client, ticket)

    sql = directory_sql(captured)
    assert "accounts_subscriptionperiod" not in sql
    assert "accounts_membership" not in sql
    assert "accounts_licence" not in sql
    assert "accounts_organisation" not in sql
    # The signed-in user's; the contact and the assignee come from caches.
    users = [q for q in captured.captured_queries if "accounts_user" in q["sql"]]
    assert len(users) == 1
    assert colleague.email in colleague_boxes(second)
    for part in (support_badge, licence_choices, colleague_boxes):
        assert part(second) == part(first)


def test_a_renamed_organisation_shows_by_its_new_name(staff_client, ticket) -> None:
    page(staff_client, ticket)

    ticket.organisation.name = "ООО «Альфа-Плюс»"
    ticket.organisation.save()

    assert "ООО «Альфа-Плюс»" in page(staff_client, ticket)


def test_a_licence_moved_to_another_organisation_still_shows(
    staff_client, ticket, other_organisation
) -> None:
    """The ticket keeps its licence, which its organisation's entry no longer
    holds: the page reads it from the database."""
    page(staff_client, ticket)

    ticket.licence.organisation = other_organisation
    ticket.licence.save()

    html = page(staff_client, ticket)
    assert ticket.licence.number in html
    assert "badge-ok" in support_badge(html)


def test_a_contact_who_left_and_an_assignee_who_left_still_show(
    staff_client, ticket, agent, supervisor
) -> None:
    """Neither is in a cached list any more: the page reads them."""
    ticket.assignee = supervisor
    ticket.save()
    page(staff_client, ticket)

    Membership.objects.filter(user=ticket.contact).delete()
    supervisor.is_active = False
    supervisor.save()

    html = page(staff_client, ticket)
    assert ticket.contact.full_name in html
    assert supervisor.full_name in html


def test_a_renewal_shows_its_new_end_date(staff_client, ticket) -> None:
    ends_on = ticket.licence.support_ends_on
    page(staff_client, ticket)

    period = renew_subscription(ticket.licence, years=2)

    badge = support_badge(page(staff_client, ticket))
    assert period.ends_on.year == ends_on.year + 2
    assert str(period.ends_on.year) in badge
    assert str(ends_on.year) not in badge


def test_a_period_deleted_in_the_admin_ends_support(staff_client, ticket) -> None:
    page(staff_client, ticket)

    SubscriptionPeriod.objects.get(licence=ticket.licence).delete()

    assert "badge-lapsed" in support_badge(page(staff_client, ticket))


def test_a_new_licence_of_the_organisation_is_offered(staff_client, ticket) -> None:
    page(staff_client, ticket)

    LicenceFactory(organisation=ticket.organisation, number="ALFA-0009-AAAA-0009")

    assert "ALFA-0009-AAAA-0009" in licence_choices(page(staff_client, ticket))


def test_an_imported_licence_is_offered(staff_client, ticket) -> None:
    page(staff_client, ticket)

    text = (
        "number,tax_id,organisation,product,edition,purchased_on,seats,scope\n"
        f"IMPO-0001-AAAA-0001,{ticket.organisation.tax_id},,Helpdesk Server,Pro,"
        f"{localdate() - datetime.timedelta(days=10)},5,\n"
    )
    imported = apply_import(
        preview_import(
            LicenceImport.objects.create(file_name="licences.csv", content=text)
        )
    )

    assert imported.status == LicenceImport.Status.DONE
    assert "IMPO-0001-AAAA-0001" in licence_choices(page(staff_client, ticket))


def test_colleagues_joining_renamed_leaving_and_deactivated_show(
    staff_client, ticket, colleague
) -> None:
    page(staff_client, ticket)

    newcomer = MembershipFactory(
        organisation=ticket.organisation, user__email="newcomer@alfa.example"
    ).user
    assert newcomer.email in colleague_boxes(page(staff_client, ticket))

    newcomer.full_name = "Пётр Новиков"
    newcomer.save()
    assert "Пётр Новиков" in colleague_boxes(page(staff_client, ticket))

    Membership.objects.get(user=newcomer).delete()
    assert newcomer.email not in colleague_boxes(page(staff_client, ticket))

    colleague.is_active = False
    colleague.save()
    assert colleague.email not in colleague_boxes(page(staff_client, ticket))


def test_a_colleague_copied_elsewhere_shows_ticked(staff_client, ticket, colleague):
    page(staff_client, ticket)

    ticket.cc.add(colleague)

    boxes = colleague_boxes(page(staff_client, ticket))
    assert re.search(rf'value="{colleague.pk}"[^>]* checked>', boxes)


def test_a_sign_in_keeps_the_directory(staff_client, ticket, customer) -> None:
    page(staff_client, ticket)

    Client().force_login(customer)  # saves last_login alone

    with CaptureQueriesContext(connection) as captured:
        page(staff_client, ticket)
    assert "accounts_membership" not in directory_sql(captured)


def test_a_warm_staff_ticket_page_makes_six_queries(
    staff_client, ticket, colleague, agent
) -> None:
    """The session, the user, the second factor, the ticket with its rating,
    and the requester's other tickets (a query for each list): the rest,
    which colleagues are copied included, comes from caches."""
    ticket.assignee = agent
    ticket.save()
    page(staff_client, ticket)

    with CaptureQueriesContext(connection) as captured:
        page(staff_client, ticket)

    tables = [
        re.search(r'FROM "(\w+)"', query["sql"]).group(1)
        for query in captured.captured_queries
    ]
    assert tables == [
        "django_session",
        "accounts_user",
        "mfa_authenticator",
        "tickets_ticket",
        "tickets_ticket",
        "tickets_ticket",
    ]
