from django.urls import path

from apps.common import converters  # noqa: F401 — registers <id:>
from apps.notifications import apis

urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read-all/", apis.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path(
        "notifications/<id:notification_id>/read/",
        apis.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("notifications/preferences/", apis.PreferenceListApi.as_view(), name="notification-preferences"),
    path(
        "notifications/preferences/<slug:kind>/",
        apis.PreferenceDetailApi.as_view(),
        name="notification-preference",
    ),
]
