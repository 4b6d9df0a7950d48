from django.apps import AppConfig


class WebConfig(AppConfig):
    """The passenger site and the operator dashboard: pages on top of every other app."""

    name = "web"
    verbose_name = "Web pages"
