from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lexoffice.hosts import BaseUrlNotAllowed, allowed_base_urls, checked_base_url


class ConnectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    api_key = forms.CharField(
        label=_("API key"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Created in Lexoffice under Add-ons → Public API. Stored encrypted; never shown again."),
    )
    base_url = forms.CharField(
        label=_("Lexoffice address"),
        required=False,
        widget=forms.Select,
        help_text=_("Only the addresses this installation allows."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default, *extras = allowed_base_urls()
        self.fields["base_url"].widget.choices = [
            ("", _("Lexoffice (%(url)s)") % {"url": default}),
            *((url, url) for url in extras),
        ]

    def clean_base_url(self) -> str:
        try:
            return checked_base_url(self.cleaned_data.get("base_url"))
        except BaseUrlNotAllowed as exc:
            raise forms.ValidationError(exc.message) from None


class ReplaceKeyForm(forms.Form):
    api_key = forms.CharField(label=_("New API key"), widget=forms.PasswordInput(render_value=False))
