from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "waymark.plans"
    label = "plans"
    verbose_name = "Recovery plans"
