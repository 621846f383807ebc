"""The console page for personal API keys: create (the token is shown once,
on the answer to the form, never again), list and revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from survey.api.keys import KeyRefused, create_key, organised_surveys, revoke_key
from survey.models import ApiKey
from survey.web.forms import CrispyForm


class ApiKeyForm(CrispyForm):
    name = forms.CharField(max_length=100, help_text="So you can tell your keys apart, like “union dashboard”.")
    surveys = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, help_text="The key reaches only these surveys."
    )
    access = forms.ChoiceField(
        widget=forms.RadioSelect,
        initial="read",
        choices=[
            ("read", "Read only: definitions, figures organisers may see, surveys' states"),
            ("write", "Read and write: also change definitions, open and close, import responses, publish"),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surveys"].queryset = organised_surveys(user).distinct()
        self.fields["surveys"].label_from_instance = lambda s: s.title


@require_http_methods(["GET", "POST"])
@login_required
def api_keys(request):
    form = ApiKeyForm(request.POST or None, user=request.user)
    token = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, token = create_key(
                acting_user=request.user,
                name=data["name"],
                surveys=list(data["surveys"]),
                can_write=data["access"] == "write",
            )
        except KeyRefused as exc:
            form.add_error(None, str(exc))
        else:
            form = ApiKeyForm(user=request.user)
    keys = ApiKey.objects.filter(user=request.user).prefetch_related("surveys")
    response = render(
        request,
        "survey/console/api_keys.html",
        {"form": form, "token": token, "keys": keys},
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)  # the page may hold a token: no copy kept anywhere
    return response


@require_POST
@login_required
def api_key_revoke(request, key_id: int):
    try:
        key = revoke_key(acting_user=request.user, key_id=key_id)
    except KeyRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The key “{key.name}” is revoked: it no longer works.")
    return redirect("survey:api-keys")
