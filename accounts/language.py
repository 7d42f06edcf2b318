"""The language switch: the language of this browser's session only.

A person's e-mails and Telegram messages keep the language chosen on their
profile page (`User.language`): switching the site to read it in another
language must not change what their customers or colleagues get."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

set_language = login_not_required(require_POST(django_set_language))
