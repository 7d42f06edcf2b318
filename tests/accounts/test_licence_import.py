from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.licence_import import apply_import, describe, preview_import
from accounts.models import Licence, LicenceImport, Organisation
from tests.auth import sign_in
from tests.factories import LicenceFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = "number,tax_id,organisation,product,edition,purchased_on,seats,scope\n"


def _import(text: str) -> LicenceImport:
    return preview_import(
        LicenceImport.objects.create(file_name="licences.csv", content=text)
    )


def _actions(licence_import: LicenceImport) -> dict[str, str]:
    return {row["number"]: row["action"] for row in licence_import.rows}


def test_the_preview_says_what_each_row_would_do(organisation) -> None:
    LicenceFactory(
        organisation=organisation,
        number="SAME-0001-AAAA-0001",
        product="Helpdesk Server",
        edition="Standard",
        purchased_on=datetime.date(2025, 3, 1),
    )
    LicenceFactory(
        organisation=organisation,
        number="CHNG-0001-AAAA-0001",
        product="Helpdesk Server",
        purchased_on=datetime.date(2025, 3, 1),
    )
    text = HEADER + (
        f"SAME-0001-AAAA-0001,{organisation.tax_id},,Helpdesk Server,Standard,2025-03-01,,\n"
        f"chng-0001-aaaa-0001,{organisation.tax_id},,Helpdesk Server,Enterprise,01.03.2025,50,\n"
        "NEWW-0001-AAAA-0001,7707083893,ПАО «Новая»,Helpdesk Server,,2026-01-15,10,\n"
        "bad,7707083894,,,,yesterday,ten,\n"
    )

    licence_import = _import(text)

    assert _actions(licence_import) == {
        "SAME-0001-AAAA-0001": "unchanged",
        "CHNG-0001-AAAA-0001": "change",
        "NEWW-0001-AAAA-0001": "create",
        "BAD": "invalid",
    }
    assert licence_import.summary == {
        "create": 1,
        "change": 1,
        "unchanged": 1,
        "invalid": 1,
    }
    assert not Licence.objects.filter(number="NEWW-0001-AAAA-0001").exists()


def test_invalid_rows_are_explained_in_russian_and_english() -> None:
    licence_import = _import(HEADER + "bad,7707083894,,,,yesterday,ten,\n")
    errors = licence_import.rows[0]["errors"]

    with translation.override("ru"):
        russian = " ".join(describe(code, params) for code, params in errors)
    with translation.override("en"):
        english = " ".join(describe(code, params) for code, params in errors)

    assert "«product» не заполнено" in russian
    assert "не номер лицензии" in russian
    assert "is not a valid tax id" in english
    assert "is not a date" in english
    assert "is not a whole number of seats" in english


def test_rows_that_conflict_with_what_we_know_are_invalid(
    organisation, other_organisation
) -> None:
    LicenceFactory(
        organisation=other_organisation,
        number="OTHR-0001-AAAA-0001",
        purchased_on=datetime.date(2025, 1, 1),
    )
    LicenceFactory(
        organisation=organisation,
        number="DATE-0001-AAAA-0001",
        purchased_on=datetime.date(2025, 1, 1),
    )
    text = HEADER + (
        f"OTHR-0001-AAAA-0001,{organisation.tax_id},,P,,2025-01-01,,\n"
        f"DATE-0001-AAAA-0001,{organisation.tax_id},,P,,2025-02-01,,\n"
        "NEWW-0002-AAAA-0001,7707083893,,P,,2025-02-01,,\n"
        f"DUPL-0001-AAAA-0001,{organisation.tax_id},,P,,2025-02-01,,\n"
        f"DUPL-0001-AAAA-0001,{organisation.tax_id},,P,,2025-02-01,,\n"
    )

    licence_import = _import(text)

    codes = {
        row["number"]: [code for code, _params in row["errors"]]
        for row in licence_import.rows
    }
    assert codes["OTHR-0001-AAAA-0001"] == ["other_organisation"]
    assert codes["DATE-0001-AAAA-0001"] == ["purchase_date_changed"]
    assert codes["NEWW-0002-AAAA-0001"] == ["organisation_name_missing"]
    assert licence_import.rows[-1]["errors"] == [
        ["duplicate", {"number": "DUPL-0001-AAAA-0001", "line": 5}]
    ]


def test_one_invalid_row_imports_nothing(organisation) -> None:
    text = (
        HEADER
        + f"GOOD-0001-AAAA-0001,{organisation.tax_id},,P,,2025-01-01,,\nbad,{organisation.tax_id},,P,,2025-01-01,,\n"
    )

    licence_import = apply_import(_import(text))

    assert licence_import.status == LicenceImport.Status.FAILED
    assert not Licence.objects.filter(number="GOOD-0001-AAAA-0001").exists()


def test_an_import_creates_organisations_licences_and_their_first_year(
    organisation,
) -> None:
    text = (
        HEADER
        + "NEWW-0001-AAAA-0001,7707083893,ПАО «Новая»,Helpdesk Server,Pro,2026-01-15,10,\n"
    )

    licence_import = apply_import(_import(text))

    assert licence_import.status == LicenceImport.Status.DONE
    licence = Licence.objects.with_periods().get(number="NEWW-0001-AAAA-0001")
    assert licence.organisation == Organisation.objects.get(
        tax_id="7707083893", name="ПАО «Новая»"
    )
    assert (licence.edition, licence.seats) == ("Pro", 10)
    assert licence.support_ends_on == datetime.date(2027, 1, 14)


def test_importing_the_same_file_twice_changes_nothing(organisation) -> None:
    text = HEADER + "".join(
        f"IDEM-{n:04d}-AAAA-0001,{organisation.tax_id},,P,E,2025-01-01,{n},\n"
        for n in range(20)
    )
    apply_import(_import(text))
    snapshot = list(Licence.objects.order_by("number").values())

    second = apply_import(_import(text))

    assert second.summary == {"create": 0, "change": 0, "unchanged": 20, "invalid": 0}
    assert list(Licence.objects.order_by("number").values()) == snapshot


def test_semicolons_and_windows_1251_are_read(
    client, admin_user, django_capture_on_commit_callbacks
) -> None:
    text = "number;tax_id;organisation;product;edition;purchased_on;seats;scope\r\n"
    text += (
        "WIND-0001-AAAA-0001;7707083893;ПАО «Сбер»;Сервер;;10.03.2025;;весь офис\r\n"
    )
    sign_in(client, admin_user)
    upload = SimpleUploadedFile(
        "licences.csv", text.encode("cp1251"), content_type="text/csv"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/accounts/licence/import/", {"file": upload})
    licence_import = LicenceImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/accounts/licence/import/{licence_import.code}/apply/")

    assert response.status_code == 302
    assert Licence.objects.get(number="WIND-0001-AAAA-0001").scope == "весь офис"


def test_ten_thousand_rows_through_the_admin(
    client, admin_user, django_capture_on_commit_callbacks
) -> None:
    organisations = OrganisationFactory.create_batch(20)
    text = HEADER + "".join(
        f"BULK-{n // 10000:04d}-{n % 10000:04d}-AAAA,{organisations[n % 20].tax_id},,Helpdesk Server,,2025-06-01,5,\n"
        for n in range(10_000)
    )
    sign_in(client, admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/accounts/licence/import/",
            {"file": SimpleUploadedFile("big.csv", text.encode())},
        )
    licence_import = LicenceImport.objects.get()
    status_page = client.get(f"/admin/accounts/licence/import/{licence_import.code}/")
    assert 'data-count="create">10000<' in status_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/accounts/licence/import/{licence_import.code}/apply/")

    licence_import.refresh_from_db()
    assert licence_import.status == LicenceImport.Status.DONE
    assert Licence.objects.filter(number__startswith="BULK-").count() == 10_000
    progress = client.get(
        f"/admin/accounts/licence/import/{licence_import.code}/progress/"
    ).json()
    assert progress == {
        "status": "done",
        "phase": "import",
        "done": 10_000,
        "total": 10_000,
    }


def test_only_admins_may_import(client, agent) -> None:
    sign_in(client, agent)

    assert client.get("/admin/accounts/licence/import/").status_code == 403


def test_odd_numbers_and_overlong_text_are_invalid_rows_not_crashes(
    organisation,
) -> None:
    text = HEADER + (
        f"ODDS-0001-AAAA-0001,{organisation.tax_id},,P,,2025-01-01,²,\n"
        f"LONG-0001-AAAA-0001,{organisation.tax_id},,{'П' * 201},,2025-01-01,99999999999,\n"
    )

    licence_import = _import(text)

    codes = {
        row["number"]: [code for code, _p in row["errors"]]
        for row in licence_import.rows
    }
    assert codes == {
        "ODDS-0001-AAAA-0001": ["bad_seats"],
        "LONG-0001-AAAA-0001": ["bad_seats", "too_long"],
    }
    assert apply_import(licence_import).status == LicenceImport.Status.FAILED
    assert not Licence.objects.filter(number__in=codes).exists()


def test_the_preview_lists_every_row_with_what_changes(
    client, admin_user, organisation
) -> None:
    LicenceFactory(
        organisation=organisation,
        number="CHNG-0001-AAAA-0001",
        product="Старый",
        purchased_on=datetime.date(2025, 3, 1),
    )
    text = HEADER + (
        f"CHNG-0001-AAAA-0001,{organisation.tax_id},,Новый,,2025-03-01,,\n"
        f"NEWW-0009-AAAA-0001,{organisation.tax_id},,P,,2025-03-01,,\n"
    )
    licence_import = _import(text)
    sign_in(client, admin_user)

    page = client.get(
        f"/admin/accounts/licence/import/{licence_import.code}/"
    ).content.decode()
    changed_only = client.get(
        f"/admin/accounts/licence/import/{licence_import.code}/?action=change"
    ).content.decode()

    assert "NEWW-0009-AAAA-0001" in page
    assert "«Старый» → «Новый»" in page
    assert "NEWW-0009-AAAA-0001" not in changed_only


@pytest.mark.parametrize(
    ("language", "headline"),
    [
        ("en", "Checked: 1 invalid row blocks the import"),
        ("ru", "Проверен: 1 неверная строка не даёт импортировать файл"),
    ],
)
def test_a_checked_file_with_invalid_rows_says_what_blocks_it(
    client,
    admin_user,
    organisation,
    django_capture_on_commit_callbacks,
    language,
    headline,
) -> None:
    text = HEADER + (
        f"GOOD-0001-AAAA-0001,{organisation.tax_id},,Helpdesk Server,,2025-06-01,5,\n"
        "not a number,,,,,,,\n"
    )
    sign_in(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/accounts/licence/import/",
            {"file": SimpleUploadedFile("mixed.csv", text.encode())},
        )
    licence_import = LicenceImport.objects.get()

    html = client.get(
        f"/admin/accounts/licence/import/{licence_import.code}/",
        HTTP_ACCEPT_LANGUAGE=language,
    ).text

    assert f"<strong>{headline}</strong>" in html
    assert "ready to import" not in html
    assert "готов к импорту" not in html
