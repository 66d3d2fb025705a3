from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "muster.interop"
    verbose_name = "Data from other systems"
