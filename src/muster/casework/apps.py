from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "muster.casework"
    verbose_name = "Casework: bands and tasks"
