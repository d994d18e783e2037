from django.urls import path

from invoices import views

app_name = "invoices"
urlpatterns = [
    path("", views.sales_list, name="list"),
    path("<int:pk>/<str:fmt>/", views.document_download, name="download"),
    path("by-voucher/<int:pk>/<str:fmt>/", views.voucher_document, name="voucher_document"),
]
