"""Public URLs served outside the page tree."""

from django.urls import path

from . import certificates, views

urlpatterns = [
    path("cari/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon_ico, name="favicon_ico"),
    path("sertifikat/<str:token>/", certificates.verify, name="certificate_verify"),
]
