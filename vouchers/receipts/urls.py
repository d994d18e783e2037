from django.urls import path

from vouchers.receipts import views

# The voucher page's drop zone posts to vouchers:upload_file (vouchers/urls.py), served by views.voucher_file_upload.
app_name = "receipts"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("upload/", views.upload, name="upload"),
    path("status/", views.status, name="status"),
]
