"""The site's pages: the welcome page and the visit log (which uses the database)."""

from django.urls import path

from hello import views

urlpatterns = [
    path("", views.index, name="index"),
    path("visits/", views.visits, name="visits"),
]
