"""Public URLs served outside the page tree."""

from django.urls import path

from . import views

urlpatterns = [
    path("cari/", views.search, name="search"),
]
