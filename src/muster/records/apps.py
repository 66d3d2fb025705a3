from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Records management: retention, subject access exports, backups. No models of its own."""

    name = "muster.records"
    verbose_name = "Records management"
