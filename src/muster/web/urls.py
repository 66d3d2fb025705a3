from django.urls import path

from muster.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("pupils/", views.pupils, name="pupils"),
    path("pupils/<int:pupil_id>/", views.pupil, name="pupil"),
    path("schools/<str:urn>/today/", views.today, name="today"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("cohorts/pupils/", views.cohort_pupils, name="cohort_pupils"),
    path("policies/", views.policies, name="policies"),
    path("policies/what-if/", views.what_if, name="what_if"),
    path("tasks/", views.tasks, name="tasks"),
    path("children-in-care/", views.children_in_care, name="children_in_care"),
    path("tasks/<int:task_id>/done/", views.complete_task, name="complete_task"),
    path("registers/", views.registers, name="registers"),
    path("registers/<int:group_id>/<str:day>/<str:session>/", views.register, name="register"),
]
