from django.urls import path

from . import views

urlpatterns = [
    path("konto/erinnerungen/", views.reminder_settings, name="reminder_settings"),
    path(
        "erinnerungen/abbestellen/<str:token>/",
        views.reminder_unsubscribe,
        name="reminder_unsubscribe",
    ),
]
