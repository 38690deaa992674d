from django.urls import path

from . import views

urlpatterns = [
    path("berater/nicht-zugeordnet/", views.clients_unassigned, name="clients_unassigned"),
    path(
        "organisationen/<uuid:organization_id>/uebernehmen/",
        views.organization_claim,
        name="organization_claim",
    ),
    path(
        "organisationen/<uuid:organization_id>/zuordnen/",
        views.organization_assign,
        name="organization_assign",
    ),
]
