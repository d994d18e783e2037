from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from lexhub import api, api_files, views
from lexhub.auth import RateLimitedLoginView
from vouchers import api as voucher_api
from webhooks import pages as webhook_pages

router = DefaultRouter()
router.register("connections", api.ConnectionViewSet, basename="connection")
router.register("sync-runs", api.SyncRunViewSet, basename="syncrun")
router.register("webhook-events", api.WebhookEventViewSet, basename="webhookevent")
router.register("vouchers", voucher_api.VoucherViewSet, basename="voucher")
router.register("files", api_files.FileViewSet, basename="file")
router.register("uploads", api_files.UploadViewSet, basename="upload")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("connections/", include("lexhub.web_urls")),
    path("contacts/", include("contacts.urls")),
    path("vouchers/", include("vouchers.urls")),
    path("invoices/", include("invoices.urls")),
    path("receipts/", include("vouchers.receipts")),
    path("events/", webhook_pages.event_list, name="webhook-events"),
    path("events/<int:pk>/replay/", webhook_pages.event_replay, name="webhook-replay"),
    path("accounts/login/", RateLimitedLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # One login, with its brake, for the admin too.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/?next=/admin/", query_string=False)),
    path("admin/", admin.site.urls),
    path("webhooks/", include("webhooks.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
