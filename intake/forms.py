"""The intake page's forms: the mailbox (the password write-only, kept when left blank) and the watched folder."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.folder import resolve
from intake.hosts import clean_host
from intake.models import Mailbox, WatchedFolder


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the stored one."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "enabled",
            "host",
            "port",
            "security",
            "username",
            "folder",
            "processed_folder",
            "failed_folder",
            "allowed_senders",
        ]
        labels = {"enabled": _("Read this mailbox")}
        widgets = {"allowed_senders": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.password_encrypted:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("Stored encrypted and never shown again.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("host") and data.get("port"):
            try:
                data["host"] = clean_host(data["host"], data["port"])
            except forms.ValidationError as refused:
                self.add_error("host", refused)
        folders = [data.get("folder"), data.get("processed_folder"), data.get("failed_folder")]
        if len(set(folders)) < 3:
            raise forms.ValidationError(_("The folder to read, the processed and the failed folder must differ."))
        return data

    def save(self, commit: bool = True) -> Mailbox:
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("password"):
            mailbox.set_password(self.cleaned_data["password"])
        mailbox.next_poll_at = None  # changed settings: try at the next tick
        mailbox.failures = 0
        if commit:
            mailbox.save()
        return mailbox


class WatchedFolderForm(forms.ModelForm):
    class Meta:
        model = WatchedFolder
        fields = ["enabled", "path"]
        labels = {"enabled": _("Watch this folder")}

    def clean_path(self) -> str:
        path = str(self.cleaned_data["path"]).strip()
        resolve(path)  # ValidationError when outside the intake root
        return path

    def save(self, commit: bool = True) -> WatchedFolder:
        folder = super().save(commit=False)
        folder.next_poll_at = None
        folder.failures = 0
        if commit:
            folder.save()
        return folder
