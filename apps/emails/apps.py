from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "apps.emails"
    label = "emails"
    verbose_name = "Email outbox"

    def ready(self):
        from apps.emails import checks  # noqa: F401 — registers the system checks
