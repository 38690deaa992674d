from django.urls import path

from . import views

urlpatterns = [
    path("kontakt/", views.contact, name="contact"),
    path("kontakt/danke/", views.contact_thanks, name="contact_thanks"),
    path("berater/anfragen/", views.lead_list, name="lead_list"),
    path("berater/anfragen/<uuid:lead_id>/", views.lead_detail, name="lead_detail"),
    path("berater/anfragen/<uuid:lead_id>/status/", views.lead_update, name="lead_update"),
    path("berater/anfragen/<uuid:lead_id>/kunde/", views.lead_convert, name="lead_convert"),
]
