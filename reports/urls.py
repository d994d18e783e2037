from django.urls import path

from reports import chart_views, export_views, period_views, views

app_name = "reports"
urlpatterns = [
    path("open-items/", views.open_items_page, name="open-items"),
    path("open-items/<int:pk>/dunning/", views.dunning_create, name="dunning-create"),
    path("dunnings/<int:pk>/pdf/", views.dunning_file, name="dunning-pdf"),
    path("export/<slug:name>/", export_views.export_list, name="export"),
    path("period-exports/", period_views.period_exports, name="period-exports"),
    path("period-exports/<int:pk>/", period_views.period_export, name="period-export"),
    path("period-exports/<int:pk>/zip/", period_views.period_export_zip, name="period-export-zip"),
    path("connections/<int:pk>/accounts/", period_views.account_mapping, name="account-mapping"),
    path("charts/", chart_views.charts_page, name="charts"),
]
