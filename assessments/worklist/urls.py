from django.urls import path

from . import views

urlpatterns = [
    path("berater/aufgaben/", views.task_list, name="task_list"),
    path("berater/filter/", views.saved_filter_create, name="saved_filter_create"),
    path(
        "berater/filter/<int:filter_id>/loeschen/",
        views.saved_filter_delete,
        name="saved_filter_delete",
    ),
]
