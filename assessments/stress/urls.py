from django.urls import path

from . import views

urlpatterns = [
    path("berater/stresstest/", views.stress_test, name="stress_test"),
    path("berater/stresstest/berechnungen/", views.stress_job_start, name="stress_job_start"),
    path("berater/stresstest/berechnungen/<uuid:job_id>/", views.stress_job, name="stress_job"),
    path(
        "berater/stresstest/berechnungen/<uuid:job_id>/stand/",
        views.stress_job_panel,
        name="stress_job_panel",
    ),
]
