from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.models import AccessRequest, Membership, StaffRole
from accounts.services import deactivate_account, invite_contact, remove_contact
from api.services import create_integration, issue_token
from knowledge.models import Article, Category, FilingAttempt, TicketArticle
from knowledge.services import attach_files
from notifications.models import Notification
from reports.models import Export
from tests.conftest import (
    _staff,
    make_active_licence,
    make_admin_user,
    make_agent,
    make_colleague,
    make_customer,
    make_organisation,
    make_other_organisation,
    make_outsider,
    make_supervisor,
)
from tests.factories import MembershipFactory
from tests.knowledge.conftest import make_article
from tests.private_services import PrivateDovecot, PrivateRedis, SmtpSink
from tests.requirements import require
from tests.tickets.conftest import upload
from tests.tickets.telegram.conftest import bot_api, telegram  # noqa: F401 (fixtures)
from tickets import rating_links
from tickets.email.incoming import store_raw
from tickets.models import Message, SavedFilter, Ticket
from tickets.services import open_ticket
from webhooks.models import Endpoint


@pytest.fixture
def world(
    organisation,
    other_organisation,
    customer,
    colleague,
    outsider,
    agent,
    supervisor,
    admin_user,
    active_licence,
):
    return build_world(
        organisation=organisation,
        other_organisation=other_organisation,
        customer=customer,
        colleague=colleague,
        outsider=outsider,
        agent=agent,
        supervisor=supervisor,
        admin_user=admin_user,
        active_licence=active_licence,
    )


def make_world() -> dict:
    """`world` and the fixtures it stands on, made without fixtures (for a
    module that shares one, tests/security/test_authorisation_matrix.py)."""
    organisation = make_organisation()
    other_organisation = make_other_organisation()
    return build_world(
        organisation=organisation,
        other_organisation=other_organisation,
        customer=make_customer(organisation),
        colleague=make_colleague(organisation),
        outsider=make_outsider(other_organisation),
        agent=make_agent(),
        supervisor=make_supervisor(),
        admin_user=make_admin_user(),
        active_licence=make_active_licence(organisation),
    )


def build_world(
    *,
    organisation,
    other_organisation,
    customer,
    colleague,
    outsider,
    agent,
    supervisor,
    admin_user,
    active_licence,
) -> dict:
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Тикет A",
        description="Текст",
        category=Ticket.Category.OTHER,
        attachments=[upload("a.txt", b"secret of A")],
    )
    access_request = AccessRequest.objects.create(
        organisation_name="X",
        tax_id="7707083893",
        full_name="Y",
        position="Z",
        email="new@x.example",
        phone="+79000000000",
        licence_number="XXXX-0000-XXXX-0000",
    )
    invitation = invite_contact(
        organisation, email="invitee@alfa.example", full_name="I"
    )
    removed_member = MembershipFactory(
        organisation=organisation, user__email="removed@alfa.example"
    ).user
    remove_contact(removed_member.membership, by=customer)
    former_manager = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MANAGER,
        user__email="former-manager@alfa.example",
    ).user
    deactivate_account(former_manager, by=admin_user)
    former_agent = _staff("former-agent@support.example", StaffRole.AGENT)
    deactivate_account(former_agent, by=admin_user)
    users = {
        "member_a": colleague,
        "manager_a": customer,
        "member_b": outsider,
        "agent": agent,
        "supervisor": supervisor,
        "admin": admin_user,
        "removed_member_a": removed_member,
        "deactivated_manager_a": former_manager,
        "deactivated_agent": former_agent,
    }
    inbound, _new = store_raw(
        b"From: stranger@example.org\r\nTo: support@helpdesk.localhost\r\n"
        b"Subject: hello\r\nMessage-ID: <matrix@example.org>\r\n\r\nbody\r\n",
        source="test",
    )
    related = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Тикет A2",
        description="Текст",
        category=Ticket.Category.OTHER,
    )
    # Written directly, not by `add_message`: no notification, and the
    # ticket's status stays as the other tests expect.
    reply = Message.objects.create(
        ticket=related, author=agent, kind=Message.Kind.REPLY, body="Ответ"
    )
    saved_filter = SavedFilter.objects.create(
        owner=agent, name="Мой", query="view=mine"
    )
    integration = create_integration(
        "Мониторинг", user=customer, organisation_id=customer.membership.organisation_id
    )
    token, _text = issue_token(integration, scopes=["tickets:read"], by=customer)
    # A documentation address (TEST-NET-3): never contacted.
    endpoint = Endpoint.objects.create(
        integration=integration,
        url="https://203.0.113.7/hooks",
        event_types=["ticket.created"],
    )
    kb_category = Category.objects.create(name_ru="Настройка", slug="setup")
    kb_article = make_article(
        kb_category,
        author=agent,
        reviewer=supervisor,
        ru=("Для клиентов", "dlya-klientov", "Текст"),
        visibility=Article.Visibility.CUSTOMERS,
    )
    [kb_file] = attach_files(kb_article, [upload("kb.txt", b"kb")], by=agent)
    kb_attempt = FilingAttempt.objects.create(
        user=customer, channel=FilingAttempt.Channel.WEB, subject="Настройка"
    )
    kb_attempt.suggestions.create(article=kb_article, position=1)
    kb_link = TicketArticle.objects.create(
        article=kb_article, ticket=ticket, language="ru", added_by=agent
    )
    notification = Notification.objects.create(
        recipient=agent, ticket=ticket, kind=Notification.Kind.RULE, title="Правило"
    )
    # A supervisor's export, still being written.
    export = Export.objects.create(
        requested_by=supervisor,
        format=Export.Format.CSV,
        first=datetime.date(2026, 5, 1),
        last=datetime.date(2026, 5, 31),
    )
    kwargs = {
        "reports:report_table": {"format": "xlsx"},
        "reports:export": {"pk": export.pk},
        "reports:export_progress": {"pk": export.pk},
        "reports:export_file": {"pk": export.pk},
        "notifications:open": {"code": notification.code},
        "notifications:follow": {"reference": ticket.reference},
        "notifications:unfollow": {"reference": ticket.reference},
        "integrations:issue": {"pk": integration.pk},
        "integrations:revoke": {"pk": token.pk},
        "webhooks:list": {"pk": integration.pk},
        "webhooks:delete": {"pk": endpoint.pk},
        "webhooks:rotate": {"pk": endpoint.pk},
        "webhooks:enable": {"pk": endpoint.pk},
        "tickets_staff:delete_filter": {"pk": saved_filter.pk},
        "tickets_staff:merge": {"reference": ticket.reference},
        "tickets_staff:link": {"reference": ticket.reference},
        "tickets_staff:unlink": {
            "reference": ticket.reference,
            "related": related.reference,
        },
        "tickets_staff:presence": {"reference": ticket.reference},
        "tickets_mail:detail": {"code": inbound.code},
        "tickets_mail:download": {"code": inbound.code},
        "tickets_mail:retry": {"code": inbound.code},
        "tickets_mail:assign": {"code": inbound.code},
        "accounts:accept_invitation": {"token": invitation.token},
        "accounts:remove_contact": {"user_id": colleague.pk},
        "accounts:access_request_detail": {"code": access_request.code},
        "tickets:detail": {"reference": ticket.reference},
        "tickets:close": {"reference": ticket.reference},
        "tickets:rate": {"reference": ticket.reference},
        "tickets:rate_by_link": {
            "token": rating_links.make_token(ticket, score=4, user=customer)
        },
        "tickets:copied_contacts": {"reference": ticket.reference},
        "tickets:properties": {"reference": ticket.reference},
        "tickets_staff:take": {"reference": ticket.reference},
        "tickets:attachment": {
            "reference": ticket.reference,
            "code": ticket.messages.get().attachments.get().code,
        },
        "knowledge:category": {"slug": kb_category.slug},
        "knowledge:article": {"language": "ru", "slug": "dlya-klientov"},
        "knowledge:feedback": {"language": "ru", "slug": "dlya-klientov"},
        "knowledge:article_by_code": {"code": kb_article.code},
        "knowledge:file": {"code": kb_file.code},
        "knowledge:suggested": {"code": kb_attempt.code, "article": kb_article.pk},
        "knowledge:solved": {"code": kb_attempt.code, "article": kb_article.pk},
        "knowledge:link": {"code": kb_link.code},
        "knowledge:find_for_ticket": {"reference": ticket.reference},
        "knowledge:link_for_ticket": {"reference": ticket.reference},
        "knowledge:draft_from_reply": {"code": reply.code},
        "knowledge:create_draft_from_reply": {"code": reply.code},
        "api:ticket": {"reference": ticket.reference},
        "api:licence": {"number": active_licence.number},
        "api:organisation": {"key": organisation.tax_id},
        "api:organisation_by_external_id": {"key": "crm-alfa"},
        "api:contact": {"email": colleague.email},
        "api:access_request": {"code": access_request.code},
        "api:messages": {"reference": ticket.reference},
        "api:attachment": {
            "reference": ticket.reference,
            "code": ticket.messages.get().attachments.get().code,
        },
    }
    organisation.external_id = "crm-alfa"
    organisation.save(update_fields=["external_id"])
    return {"users": users, "kwargs": kwargs, "ticket": ticket}


# Servers of the fault tests' own (tests/private_services.py).


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """Configured but not started: the test decides when it runs."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def stalling_smtp_sink() -> Iterator[SmtpSink]:
    """Holds the first message unanswered: its sender is in the middle of sending."""
    sink = SmtpSink(stall_first=True)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def private_dovecot() -> Iterator[PrivateDovecot]:
    """An IMAP server with the support mailbox, empty."""
    require(
        PrivateDovecot.available(),
        "Dovecot is not installed (apt-get install -y dovecot-imapd) or not root",
    )
    server = PrivateDovecot("support@helpdesk.test", "secret")
    server.start()
    yield server
    server.stop()
