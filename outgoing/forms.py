from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connections.models import Connection
from outgoing.events import NOTICE_TYPES, RECORD_RESOURCES

# The form offers a resource's types together (contact.*); the API takes single types too.
TYPE_CHOICES = [("*", _("Everything")), *((f"{resource}.*", f"{resource}.*") for resource in RECORD_RESOURCES)]
TYPE_CHOICES += [(event_type, event_type) for event_type in NOTICE_TYPES]


class EndpointForm(forms.Form):
    connection = forms.ModelChoiceField(queryset=Connection.objects.none(), label=_("Connection"))
    url = forms.CharField(
        max_length=500, label=_("URL"), help_text=_("Where the other tool receives events, e.g. https://…")
    )
    description = forms.CharField(max_length=200, required=False, label=_("Description"))
    event_types = forms.MultipleChoiceField(
        choices=TYPE_CHOICES, widget=forms.CheckboxSelectMultiple, label=_("Events"), initial=["*"]
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["connection"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Connection.objects.owned_by(user)
        owned = list(field.queryset[:2])
        if len(owned) == 1:  # nothing to choose: preselected
            field.initial, field.empty_label = owned[0].pk, None


class ReplaySinceForm(forms.Form):
    since = forms.DateTimeField(label=_("Since"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    only_failed = forms.BooleanField(required=False, label=_("Only failed deliveries"))
