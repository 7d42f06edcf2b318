"""Staff pages for mail the pipeline could not file: see why, download, retry, assign."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import staff_required
from accounts.models import User
from tickets import services
from tickets.downloads import signed_download_url
from tickets.email import incoming
from tickets.email.parsing import header_text, parse
from tickets.forms import AssignMailForm
from tickets.models import InboundEmail


@require_safe
@staff_required
def mail_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    mail = InboundEmail.objects.select_related("ticket").defer("ticket__search_vector")
    mail = mail.all() if show == "all" else mail.waiting_for_staff(now())
    page = Paginator(mail, 50).get_page(request.GET.get("page"))
    return render(request, "tickets/mail_list.html", {"page": page, "show": show})


@require_safe
@staff_required
def mail_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    inbound = get_object_or_404(
        InboundEmail.objects.select_related("ticket").defer("ticket__search_vector"),
        code=code,
    )
    form = AssignMailForm(initial={"contact": _sender_user(inbound)})
    return _detail(request, inbound, form)


def _detail(
    request: HttpRequest, inbound: InboundEmail, form: AssignMailForm
) -> HttpResponse:
    if not inbound.raw:  # removed (`raw_removed_at`)
        return _render_detail(request, inbound, form, [], "", [])
    with inbound.raw.open("rb") as stored:
        raw = stored.read()
    try:
        msg, parsed = parse(raw)
        headers = [
            (name, header_text(msg, name)[:1000])
            for name in ("From", "To", "Cc", "Date", "Subject", "Message-ID")
        ]
        body, files = parsed.body[:20_000], parsed.files
    except Exception:
        headers, body, files = [], "", []
    return _render_detail(request, inbound, form, headers, body, files)


def _render_detail(
    request: HttpRequest,
    inbound: InboundEmail,
    form: AssignMailForm,
    headers: list[tuple[str, str]],
    body: str,
    files: list,
) -> HttpResponse:
    return render(
        request,
        "tickets/mail_detail.html",
        {
            "inbound": inbound,
            "headers": headers,
            "body": body,
            "files": files,
            "form": form,
            "waiting": InboundEmail.objects.filter(pk=inbound.pk)
            .waiting_for_staff(now())
            .exists(),
        },
    )


def _sender_user(inbound: InboundEmail):
    return User.objects.filter(email__iexact=inbound.sender, is_staff=False).first()


@require_safe
@staff_required
def mail_download(request: HttpRequest, code: UUID) -> HttpResponse:
    inbound = get_object_or_404(InboundEmail.objects.exclude(raw=""), code=code)
    filename = f"{inbound.sha256[:16]}.eml"
    url = signed_download_url(
        inbound.raw,
        filename=filename,
        content_type="application/octet-stream",
        as_attachment=True,
    )
    if url:
        return redirect(url)
    response = FileResponse(
        inbound.raw.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_required
def mail_retry(request: HttpRequest, code: UUID) -> HttpResponse:
    inbound = get_object_or_404(InboundEmail, code=code)
    try:
        inbound = incoming.retry(inbound)
    except services.TicketError as error:
        messages.error(request, str(error))
    else:
        messages.info(
            request,
            _("Processed again: %(status)s. %(reason)s")
            % {"status": inbound.get_status_display(), "reason": inbound.reason},
        )
    return redirect("tickets_mail:detail", code=inbound.code)


@require_POST
@staff_required
def mail_assign(request: HttpRequest, code: UUID) -> HttpResponse:
    inbound = get_object_or_404(InboundEmail, code=code)
    form = AssignMailForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            inbound = incoming.assign(
                inbound,
                by=request.user,
                contact=data["contact"],
                licence=data["licence"],
                ticket=data["ticket"],
                override_reason=data["override_reason"],
            )
        except services.TicketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, inbound.reason)
            return redirect(inbound.ticket)
    # The page again with what was chosen and why it did not go through.
    return _detail(request, inbound, form)
