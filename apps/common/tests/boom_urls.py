"""The project's URLs plus one view that fails, for error-reporting tests (pytest.mark.urls)."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as project_urlpatterns


@csrf_exempt  # an API-like POST with a session cookie, as DRF views are
def boom(request):
    raise RuntimeError("boom: something broke while handling this request")


urlpatterns = [path("boom/", boom), *project_urlpatterns]  # before the web app's catch-all
handler500 = "apps.common.views.json_server_error"
