from django.urls import path

import muster.web.targeting_pages as targeting_pages
from muster.web import care_pages, quality_pages, school_pages, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("pupils/", views.pupils, name="pupils"),
    path("pupils/<int:pupil_id>/", views.pupil, name="pupil"),
    path("schools/<str:urn>/today/", views.today, name="today"),
    path("schools/<str:urn>/today/contacts/<int:pupil_id>/", school_pages.log_contact, name="log_contact"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("cohorts/pupils/", views.cohort_pupils, name="cohort_pupils"),
    path("policies/", views.policies, name="policies"),
    path("policies/what-if/", views.what_if, name="what_if"),
    path("tasks/", views.tasks, name="tasks"),
    path("children-in-care/", care_pages.children_in_care, name="children_in_care"),
    path("children-in-care/<int:pupil_id>/", care_pages.care_child, name="care_child"),
    path("children-in-care/<int:pupil_id>/plans/new/", care_pages.new_plan, name="care_new_plan"),
    path("children-in-care/<int:pupil_id>/pathways/", care_pages.start_pathway, name="care_start_pathway"),
    path("children-in-care/plans/<int:plan_id>/", care_pages.care_plan, name="care_plan"),
    path("children-in-care/plans/<int:plan_id>/review/", care_pages.review_plan, name="care_review_plan"),
    path("children-in-care/plans/<int:plan_id>/pp-plus/", care_pages.request_pp_plus, name="care_request_pp_plus"),
    path("children-in-care/pp-plus/<int:request_id>/", care_pages.decide_pp_plus, name="care_decide_pp_plus"),
    path("children-in-care/escalations/<int:escalation_id>/", care_pages.decide_escalation,
         name="care_decide_escalation"),
    path("children-in-care/pathways/<int:run_id>/steps/<str:step_id>/", care_pages.decide_step,
         name="care_decide_step"),
    path("tasks/<int:task_id>/done/", views.complete_task, name="complete_task"),
    path("targeting/", targeting_pages.meetings, name="targeting_meetings"),
    path("targeting/meetings/<int:meeting_id>/", targeting_pages.meeting, name="targeting_meeting"),
    path("targeting/meetings/<int:meeting_id>/pack.docx", targeting_pages.meeting_document,
         name="targeting_meeting_document"),
    path("targeting/no-action/", targeting_pages.worklist, name="targeting_worklist"),
    path("targeting/xmr/", targeting_pages.xmr, name="targeting_xmr"),
    path("targeting/gaps/<str:urn>/", targeting_pages.cohort_gaps, name="targeting_gaps"),
    path("registers/", views.registers, name="registers"),
    path("imports/", school_pages.imports, name="imports"),
    path("registers/<int:group_id>/<str:day>/<str:session>/", views.register, name="register"),
    path("quality/schools/<str:urn>/", quality_pages.school_quality, name="quality_school"),
    path("quality/la/<str:code>/", quality_pages.la_quality, name="quality_la"),
]
