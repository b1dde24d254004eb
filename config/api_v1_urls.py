from django.urls import include, path

urlpatterns = [
    path("", include("apps.users.urls")),
    path("", include("apps.households.urls")),
    path("", include("apps.bills.urls")),
    path("", include("apps.goals.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.reports.urls")),
]
