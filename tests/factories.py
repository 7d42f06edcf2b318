from __future__ import annotations

import datetime

import factory
from django.utils.timezone import localdate

from accounts.models import (
    Licence,
    Membership,
    Organisation,
    SubscriptionPeriod,
    User,
    one_year_after,
)
from accounts.validators import _INN_10_WEIGHTS, _check_digit

PASSWORD = "correct-horse-battery"


def _tax_id(n: int) -> str:
    base = f"77{n:07d}"
    return base + str(_check_digit(base, _INN_10_WEIGHTS))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name", locale="ru_RU")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from allauth.account.models import EmailAddress

            self.save()
            EmailAddress.objects.create(
                user=self, email=self.email, verified=True, primary=True
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"ООО «Организация {n}»")
    tax_id = factory.Sequence(_tax_id)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class LicenceFactory(factory.django.DjangoModelFactory):
    """A licence bought 100 days ago, with its included year of support."""

    class Meta:
        model = Licence
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"TEST-{n:04d}-AAAA-BBBB")
    organisation = factory.SubFactory(OrganisationFactory)
    product = "Helpdesk Server"
    edition = "Standard"
    purchased_on = factory.LazyFunction(
        lambda: localdate() - datetime.timedelta(days=100)
    )

    @factory.post_generation
    def included_period(
        self, create: bool, extracted: object, **kwargs: object
    ) -> None:
        if create:
            SubscriptionPeriod.objects.create(
                licence=self,
                kind=SubscriptionPeriod.Kind.INCLUDED,
                starts_on=self.purchased_on,
                ends_on=one_year_after(self.purchased_on),
            )
