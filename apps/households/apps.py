from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "apps.households"
    label = "households"
