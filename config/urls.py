from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.common.views import api_not_found, healthz, readyz
from apps.common.web import web_app
from apps.users.auth.admin_login import AdminLoginForm

# Staff sign in with their TOTP code when they have MFA (apps/users/auth/admin_login.py).
admin.site.login_form = AdminLoginForm
admin.site.login_template = "admin/kinwise_login.html"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path(settings.DJANGO_ADMIN_URL, admin.site.urls),
    path("api/v1/", include("config.api_v1_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # Last: any other /api/ path is a JSON 404, also under DEBUG (whose 404 page is HTML).
    re_path(r"^api/", api_not_found, name="api-not-found"),
    # Everything else is a page of the web app (web/), except the API's and the files' own prefixes.
    re_path(r"^(?!api/|api$|admin/|static/|assets/)(?P<path>.*)$", web_app, name="web-app"),
]

handler400 = "apps.common.views.json_bad_request"
handler403 = "apps.common.views.json_forbidden"
handler404 = "apps.common.views.json_not_found"
handler500 = "apps.common.views.json_server_error"
