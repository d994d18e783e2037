from django.urls import path

from vouchers import views

app_name = "vouchers"
urlpatterns = [
    path("", views.voucher_list, name="list"),
    path("new/", views.voucher_create, name="create"),
    path("<int:pk>/", views.voucher_detail, name="detail"),
    path("<int:pk>/files/", views.voucher_file_upload, name="upload_file"),
    path("files/<int:pk>/", views.file_download, name="file"),
]
