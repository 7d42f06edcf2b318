"""Each organisation, its licences with their subscription periods, and its
active contacts, as the ticket pages show them; cached until any of those rows
changes.

The staff ticket page read them on every request, in three queries of their
own (the ticket's support dates, the licence list of its properties form, the
colleagues to copy) and two joins that cost PostgreSQL more to plan than to
run; they change a few times a day, in an import or in the admin. One
version covers every organisation: a change anywhere, which is rare, re-reads
each organisation once, and no receiver has to find out which organisation a
row belonged to before it moved. `accounts.signals` forgets it on every save and
delete of an organisation, a licence, a subscription period, a membership or a
user (except a sign-in, which writes only `last_login`); the licence import,
which writes in bulk, forgets it itself.

The entries are shared by the requests of a process (`kept_in_process`): the
pages read them and never change them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from accounts.models import (
    Licence,
    Organisation,
    SubscriptionPeriod,
    User,
)
from helpdesk.cache import VersionedCache

entries = VersionedCache("accounts:directory", kept_in_process=True)
# What pages read of a contact; any other column is read when asked for.
CONTACT_COLUMNS = ("full_name", "email", "language")


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    organisation: Organisation
    # By number; each with its subscription periods read.
    licences: tuple[Licence, ...]
    # Active contacts, by name, with the columns the ticket pages show.
    contacts: tuple[User, ...]

    def licence(self, pk: int) -> Licence | None:
        return next((licence for licence in self.licences if licence.pk == pk), None)

    def contact(self, pk: int) -> User | None:
        return next((contact for contact in self.contacts if contact.pk == pk), None)


def entry(organisation_id: int) -> DirectoryEntry:
    return entries.get(str(organisation_id), lambda: _read(organisation_id))


def _read(organisation_id: int) -> DirectoryEntry:
    licences = (
        Licence.objects.filter(organisation_id=organisation_id)
        .only("number", "product", "edition", "organisation_id", "purchased_on")
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "subscription_periods",
                queryset=SubscriptionPeriod.objects.only(
                    "licence_id", "starts_on", "ends_on"
                ),
            )
        )
    )
    contacts = (
        User.objects.contacts_of(organisation_id)
        .order_by("full_name")
        .only(*CONTACT_COLUMNS)
    )
    return DirectoryEntry(
        organisation=Organisation.objects.get(pk=organisation_id),
        licences=tuple(licences),
        contacts=tuple(contacts),
    )


def forget() -> None:
    entries.forget()
