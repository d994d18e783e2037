from django.urls import path

from einvoices import views

app_name = "einvoices"
urlpatterns = [
    path("", views.einvoice_list, name="list"),
    path("<int:pk>/", views.einvoice_detail, name="detail"),
    path("<int:pk>/xml/", views.einvoice_xml, name="xml"),
    path("<int:pk>/complete/", views.einvoice_complete, name="complete"),
    path("<int:pk>/create-contact/", views.einvoice_create_contact, name="create_contact"),
]
