"""Admin titles that name the model in the case the sentence needs.

Django's admin builds "Select %s to change", "Add %s" and "Change %s" from the
model's name as it stands, which Russian reads as "Выберите лицензия для
изменения". An admin whose model's name changes in the accusative says so
(`accusative = pgettext_lazy("accusative", "licence")`, «лицензию»); the
others keep the name as it is, which is right when the two cases agree.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

StrOrPromise = str | Promise


class NamedInCases:
    """A ModelAdmin mixin: its titles and its "Add" button in the right case."""

    accusative: StrOrPromise | None = None

    def accusative_name(self) -> str:
        return str(self.accusative or self.opts.verbose_name)  # type: ignore[attr-defined]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        name = self.accusative_name()
        title = (
            _("Select %s to change")
            if self.has_change_permission(request)  # type: ignore[attr-defined]
            else _("Select %s to view")
        )
        return super().changelist_view(  # type: ignore[misc]
            request, {"title": title % name, "add_name": name, **(extra_context or {})}
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: object = None,
    ) -> HttpResponse:
        # Here the object is at hand: no second read of it for the title.
        if add:
            title = _("Add %s")
        elif self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            title = _("Change %s")
        else:
            title = _("View %s")
        context["title"] = title % self.accusative_name()
        return super().render_change_form(  # type: ignore[misc]
            request, context, add, change, form_url, obj
        )


class ModelAdmin(NamedInCases, admin.ModelAdmin):
    """The project's ModelAdmin: Django's, with titles in the right case."""


class RecordAdmin(ModelAdmin):
    """A record's admin (the audit log, consents, retention runs): read by
    whoever may view it, changed by nobody, superusers included."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Models of other packages whose names have no translation of their own:
# (singular, plural).
UNNAMED_MODELS = {
    ("mfa", "authenticator"): (
        gettext_lazy("authenticator"),
        gettext_lazy("Authenticators"),
    ),
}


def name_other_packages_models() -> None:
    """Give the models in `UNNAMED_MODELS` their names, which every admin
    page reads (lists, breadcrumbs, titles). Migrations read a model's
    options as its own module declared them (`_meta.original_attrs`), so
    no migration follows."""
    for (app_label, model_name), (singular, plural) in UNNAMED_MODELS.items():
        opts = apps.get_model(app_label, model_name)._meta
        opts.verbose_name, opts.verbose_name_plural = singular, plural
