from django.urls import path

from connections import views

app_name = "connections"
urlpatterns = [
    path("", views.connection_list, name="list"),
    path("new/", views.connection_create, name="create"),
    path("<int:pk>/verify/", views.connection_verify, name="verify"),
    path("<int:pk>/key/", views.connection_replace_key, name="replace_key"),
    path("<int:pk>/webhooks/", views.connection_webhooks, name="webhooks"),
    path("<int:pk>/delete/", views.connection_delete, name="delete"),
    path("<int:pk>/api-call/", views.api_call, name="api_call"),
    path("<int:pk>/sync/", views.sync_start, name="sync"),
    path("runs/<int:pk>/status/", views.sync_status, name="sync_status"),
]
