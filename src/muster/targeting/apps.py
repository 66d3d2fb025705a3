from django.apps import AppConfig


class TargetingConfig(AppConfig):
    name = "muster.targeting"
    verbose_name = "Targeting support: the termly school-LA meeting and its action log"
