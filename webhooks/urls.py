from django.urls import path

from webhooks import receiver

app_name = "webhooks"
urlpatterns = [
    path("lexoffice/<str:token>/", receiver.receive, name="receive"),
]
