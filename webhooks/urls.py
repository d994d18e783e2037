from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("lexoffice/<str:token>/", views.receive, name="receive"),
]
