from django.apps import AppConfig


class StatutoryConfig(AppConfig):
    name = "muster.statutory"
    verbose_name = "Statutory workflows"
