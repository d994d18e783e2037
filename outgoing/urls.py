from django.urls import path

from outgoing import views

app_name = "outgoing"
urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path("<int:pk>/rotate/", views.endpoint_rotate, name="rotate"),
    path("<int:pk>/enabled/", views.endpoint_enable, name="enable"),
    path("<int:pk>/replay/", views.endpoint_replay, name="replay"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="replay_delivery"),
]
