from django.urls import path

from vouchers import views
from vouchers.completion import views as completion
from vouchers.previews import views as previews
from vouchers.receipts import views as receipts

app_name = "vouchers"
urlpatterns = [
    path("", views.voucher_list, name="list"),
    path("new/", views.voucher_create, name="create"),
    path("to-complete/", completion.queue, name="to_complete"),
    path("<int:pk>/complete/", completion.complete, name="complete"),
    path("<int:pk>/", views.voucher_detail, name="detail"),
    path("<int:pk>/files/", receipts.voucher_file_upload, name="upload_file"),  # the voucher page's drop zone
    path("files/<int:pk>/", views.file_download, name="file"),
    path("files/<int:pk>/preview/<str:kind>-<int:page>.jpg", previews.preview, name="preview"),
]
