from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OpsConfig(AppConfig):
    name = "apps.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        # here, not at module level: the schedule module imports models, which load after the app configs
        from apps.ops.schedule import schedule_install

        # After every `migrate`, so a fresh database has its beat schedule before beat first starts.
        post_migrate.connect(schedule_install, sender=self, dispatch_uid="apps.ops.schedule_install")
