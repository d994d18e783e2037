from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from connections import api as connection_api
from connections import api_audit
from connections import views as connection_views
from contacts import api as contact_api
from einvoices import api as einvoice_api
from invoices import api as invoice_api
from lexhub import api, auth, tokens, views
from lexhub.api_docs import SwaggerDocsView
from outgoing import api as outgoing_api
from reports import api as report_api
from reports import api_exports as report_exports_api
from vouchers import api as voucher_api
from vouchers import api_files
from vouchers.receipts import api as receipts_api
from webhooks import api as webhook_api
from webhooks import views as webhook_views

router = DefaultRouter()
router.register("connections", connection_api.ConnectionViewSet, basename="connection")
router.register("sync-runs", connection_api.SyncRunViewSet, basename="syncrun")
router.register("webhook-events", webhook_api.WebhookEventViewSet, basename="webhookevent")
router.register("vouchers", voucher_api.VoucherViewSet, basename="voucher")
router.register("files", api_files.FileViewSet, basename="file")
router.register("uploads", receipts_api.UploadViewSet, basename="upload")
router.register("contacts", contact_api.ContactViewSet, basename="contact")
router.register("sales-documents", invoice_api.SalesDocumentViewSet, basename="salesdocument")
router.register("open-items", report_api.OpenItemViewSet, basename="openitem")
router.register("period-exports", report_exports_api.PeriodExportViewSet, basename="periodexport")
router.register("audit-log", api_audit.AuditLogViewSet, basename="auditlog")
router.register("tokens", tokens.TokenViewSet, basename="token")
router.register("webhook-endpoints", outgoing_api.EndpointViewSet, basename="webhookendpoint")
router.register("webhook-deliveries", outgoing_api.DeliveryViewSet, basename="webhookdelivery")

urlpatterns = [
    # The REST API first: Django tries the patterns in order, and API clients send most of the requests.
    path("api/v1/vouchers/<int:pk>/e-invoice/", einvoice_api.VoucherEInvoiceView.as_view(), name="voucher-einvoice"),
    path("api/v1/", include(router.urls)),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", set_language, name="set_language"),  # the header's language switch: a cookie
    path("connections/", include("connections.urls")),
    path("contacts/", include("contacts.urls")),
    path("vouchers/", include("vouchers.urls")),
    path("invoices/", include("invoices.urls")),
    path("receipts/", include("vouchers.receipts.urls")),
    path("e-invoices/", include("einvoices.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", connection_views.audit_log, name="audit"),
    path("events/", webhook_views.event_list, name="webhook-events"),
    path("events/<int:pk>/replay/", webhook_views.event_replay, name="webhook-replay"),
    path("accounts/tokens/", include(tokens.urlpatterns)),
    path("accounts/", include(auth.urlpatterns)),  # login with its brake; password reset only with mail
    # One login, with its brake, for the admin too.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/?next=/admin/", query_string=False)),
    path("admin/", admin.site.urls),
    path("webhooks/", include("webhooks.urls")),
    path("outgoing-webhooks/", include("outgoing.urls")),
    path("", include("intake.urls")),  # /intake/<connection>/ and /api/v1/intake/
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api.not_found),
]
