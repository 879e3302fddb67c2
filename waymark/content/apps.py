from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "waymark.content"
    label = "content"
    verbose_name = "Education library"
