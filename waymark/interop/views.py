"""The data page (download, import, delete) and the API tokens page: thin views over the
actions in export.py, importer.py, actions.py and waymark/api/tokens.py."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark import access
from waymark.accounts.models import Organization, User
from waymark.accounts.staff import staff_required
from waymark.api import tokens
from waymark.compression import never_compress
from waymark.interop.actions import CannotDeleteError, do_delete_account
from waymark.interop.export import export
from waymark.interop.forms import DeleteForm, ImportForm, TokenForm
from waymark.interop.importer import ImportFileError, do_import, is_empty
from waymark.interop.models import ApiToken
from waymark.interop.people import program_bundles

KINDS = ("json", "csv", "fhir")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _data_page(
    request: HttpRequest, form: ImportForm | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    empty = is_empty(user)
    context = {"empty": empty, "import_form": (form or ImportForm()) if empty else None}
    return render(request, "waymark/interop/data.html", context, status=status)


@login_required
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    return _data_page(request)


@login_required
@require_GET
@never_cache
def download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("No such export format.")
    user = _user(request)
    content, content_type, name = export(user, kind, actor=user, request=request)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _data_page(request, form, status=400)
    try:
        text = form.cleaned_data["file"].read().decode("utf-8")
    except UnicodeDecodeError:
        form.add_error("file", _("This file is not a Waymark export (it is not UTF-8 text)."))
        return _data_page(request, form, status=400)
    try:
        do_import(user, text, actor=user, request=request)
    except ImportFileError as error:
        form.add_error("file", _("This file cannot be imported: %(why)s.") % {"why": error})
        return _data_page(request, form, status=400)
    messages.success(request, _("Your records are imported."))
    return redirect("interop:data")


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DeleteForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_delete_account(user, request)
        except CannotDeleteError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(request, _("Your account and all its data are deleted."))
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "waymark/interop/delete.html", {"form": form}, status=status)


def _tokens_page(
    request: HttpRequest, form: TokenForm, *, new: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "new_secret": new,
        "tokens": ApiToken.objects.filter(owner=_user(request)),
        "may_make": tokens.may_make_tokens(request),
    }
    return render(request, "waymark/interop/tokens.html", context, status=status)


def _staff_days(request: HttpRequest) -> int | None:
    return tokens.STAFF_TOKEN_DAYS if tokens.is_staff(request.user) else None


@never_compress
@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _tokens_page(request, TokenForm(staff_days=_staff_days(request)))
    form = TokenForm(request.POST, staff_days=_staff_days(request))
    if not form.is_valid():
        return _tokens_page(request, form, status=400)
    try:
        secret = tokens.do_create_token(
            request, form.cleaned_data["name"], form.cleaned_data["scope"], form.expires_at()
        )[1]
    except tokens.TokenRefusedError:
        form.add_error(None, _("Staff accounts can make tokens only after entering their code."))
        return _tokens_page(request, form, status=403)
    except tokens.StaffExpiryError:
        form.add_error(
            "expires",
            _("A staff account's token must expire within %(days)d days.")
            % {"days": tokens.STAFF_TOKEN_DAYS},
        )
        return _tokens_page(request, form, status=400)
    # Shown on this response only: it is never stored, and reloading shows the list.
    return _tokens_page(request, TokenForm(staff_days=_staff_days(request)), new=secret)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    token = ApiToken.objects.filter(owner=_user(request), public_id=token_id).first()
    if token is None:
        raise Http404("No such token.")
    tokens.do_revoke_token(request, token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("interop:tokens")


def _patient_programs(request: HttpRequest) -> list[Organization]:
    return [
        m.organization
        for m in access.staff_memberships(request.user)
        if m.role in access.PATIENT_ROLES
    ]


@staff_required
@require_GET
def programs(request: HttpRequest) -> HttpResponse:
    """Staff: each of their programs, with the FHIR export of the patients sharing with them."""
    found = [
        (program, access.people_visible_to(request.user, "checkups")
         .filter(consents__organization=program).distinct().count())
        for program in _patient_programs(request)
    ]  # fmt: skip
    return render(request, "waymark/interop/programs.html", {"programs": found})


@staff_required
@require_GET
@never_cache
def program_download(request: HttpRequest, program_id: uuid.UUID) -> HttpResponse:
    program = next((p for p in _patient_programs(request) if p.public_id == program_id), None)
    if program is None:
        raise Http404("No such program of yours.")
    lines = [to_json_line(bundle) for bundle in program_bundles(request.user, program, request)]
    response = HttpResponse("".join(lines), content_type="application/fhir+ndjson")
    response["Content-Disposition"] = 'attachment; filename="waymark-program-fhir.ndjson"'
    return response


def to_json_line(bundle: dict[str, object]) -> str:
    return json.dumps(bundle, ensure_ascii=False) + "\n"
