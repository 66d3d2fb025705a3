from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "muster.people"
    verbose_name = "People and roles"
