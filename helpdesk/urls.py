from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as accounts_views
from accounts.language import set_language
from helpdesk import views
from helpdesk.admin_names import name_other_packages_models
from knowledge.views import pages as knowledge_pages

# The admin signs in through allauth, so staff give their second factor there.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Help-desk administration")
admin.site.site_title = _("Help-desk administration")
name_other_packages_models()

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The language switcher must work before anyone signs in.
    path("i18n/setlang/", set_language, name="set_language"),
    # Before allauth's own: sign-up without an invitation leads to /access/.
    path("accounts/signup/", accounts_views.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("tickets/", include("tickets.urls")),
    path("telegram/", include("tickets.telegram.urls")),
    path("staff/mail/", include("tickets.email.urls")),
    path("staff/notifications/", include("notifications.urls")),
    path("staff/reports/", include("reports.urls")),
    path("staff/", include("tickets.staff_urls")),
    path("", include("schedule.urls")),
    path("kb/", include("knowledge.urls")),
    path("sitemap.xml", knowledge_pages.sitemap, name="sitemap"),
    path("api/v1/", include("api.urls")),
    path("organisation/integrations/", include("api.portal_urls")),
    path("organisation/webhooks/", include("webhooks.portal_urls")),
    path("organisation/figures/", include("reports.organisation_urls")),
    path("admin/", admin.site.urls),
]

handler404 = views.not_found
handler500 = views.server_error
