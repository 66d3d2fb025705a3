from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "muster.care"
    verbose_name = "Children in care: PEPs, plans and pathways"
