from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "muster.api"
    label = "api"
    verbose_name = "Open API: tokens and pushed batches"
