from django import forms
from django.utils.translation import gettext_lazy as _


class ConnectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    api_key = forms.CharField(label=_("API key"), widget=forms.PasswordInput(render_value=False),
                              help_text=_("Created in Lexoffice under Add-ons → Public API. Stored encrypted; "
                                          "never shown again."))
    base_url = forms.URLField(label=_("API base URL"), required=False, assume_scheme="https",
                              help_text=_("Leave empty for Lexoffice (https://api.lexware.io)."))


class ReplaceKeyForm(forms.Form):
    api_key = forms.CharField(label=_("New API key"), widget=forms.PasswordInput(render_value=False))
