"""Mounted at the site root by one include in lexhub/urls.py: the pages under /intake/, the API under
/api/v1/intake/."""

from django.urls import include, path

from intake import api, views

app_name = "intake"

urlpatterns = [
    path("intake/<int:pk>/", views.intake_page, name="page"),
    path("intake/<int:pk>/mailbox/", views.save_mailbox, name="mailbox"),
    path("intake/<int:pk>/mailbox/test/", views.test_mailbox, name="mailbox_test"),
    path("intake/<int:pk>/folder/", views.save_folder, name="folder"),
    path("intake/<int:pk>/poll/", views.poll_now, name="poll"),
    path("api/v1/intake/", include(api.router.urls)),
]
