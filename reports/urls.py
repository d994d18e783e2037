from django.urls import path

from reports import export_views, views

app_name = "reports"
urlpatterns = [
    path("open-items/", views.open_items_page, name="open-items"),
    path("open-items/<int:pk>/dunning/", views.dunning_create, name="dunning-create"),
    path("dunnings/<int:pk>/pdf/", views.dunning_file, name="dunning-pdf"),
    path("export/<slug:name>/", export_views.export_list, name="export"),
]
