"""Lexhub's own URLs plus the bench's anchors under /_anchor/ (bench.settings only; never in lexhub.urls)."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from bench import anchor_views
from lexhub.urls import urlpatterns as lexhub_urlpatterns

router = SimpleRouter()
router.register("vouchers", anchor_views.PlainVoucherViewSet, basename="plain-voucher")
router.register("contacts", anchor_views.PlainContactViewSet, basename="plain-contact")

urlpatterns = [
    path("_anchor/api/", include(router.urls)),
    path("_anchor/ui/contacts/", anchor_views.offset_contact_list),
    re_path(r"^_anchor/ui/(?P<kind>vouchers|invoices)/$", anchor_views.offset_voucher_list),
    path("_anchor/floor/<slug:name>/", anchor_views.floor_body),
    path("_anchor/ingest/", anchor_views.floor_ingest),
    *lexhub_urlpatterns,
]
