from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Licence, Organisation, SubscriptionPeriod, one_year_after


@transaction.atomic
def register_licence(
    organisation: Organisation,
    *,
    number: str,
    product: str,
    purchased_on: datetime.date,
    edition: str = "",
    seats: int | None = None,
    scope: str = "",
) -> Licence:
    """Create a licence with the year of support that comes with every purchase."""
    licence = Licence(
        organisation=organisation,
        number=number.strip().upper(),
        product=product,
        edition=edition,
        purchased_on=purchased_on,
        seats=seats,
        scope=scope,
    )
    licence.full_clean()
    licence.save()
    SubscriptionPeriod.objects.create(
        licence=licence,
        kind=SubscriptionPeriod.Kind.INCLUDED,
        starts_on=purchased_on,
        ends_on=one_year_after(purchased_on),
    )
    return licence


@transaction.atomic
def renew_subscription(
    licence: Licence, *, years: int = 1, on: datetime.date | None = None
) -> SubscriptionPeriod:
    """Add a renewal of `years` years.

    It starts the day after the current coverage ends, or on the renewal day
    itself when the subscription had already lapsed.
    """
    if years < 1:
        raise ValueError("A renewal is one year or more.")
    on = on or timezone.localdate()
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    last_day = licence.support_ends_on
    starts_on = (
        on
        if last_day is None or last_day < on
        else last_day + datetime.timedelta(days=1)
    )
    return SubscriptionPeriod.objects.create(
        licence=licence,
        kind=SubscriptionPeriod.Kind.RENEWAL,
        starts_on=starts_on,
        ends_on=one_year_after(starts_on, years),
    )
