"""Public URLs served outside the page tree."""

from django.urls import path

from . import certificates, views

urlpatterns = [
    path("cari/", views.search, name="search"),
    path("sertifikat/<str:token>/", certificates.verify, name="certificate_verify"),
]
