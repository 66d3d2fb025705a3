from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "muster.registers"
    verbose_name = "Registers"
