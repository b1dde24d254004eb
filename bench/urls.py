"""URLs for the benchmark settings only: the API as served in production, plus the ceiling endpoint."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as api_urlpatterns

CEILING_PATH = "/api/v1/bench/ceiling/"


class CeilingApi(APIView):
    """A DRF JSON endpoint that does nothing: the fastest any endpoint of this stack can answer."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(exclude=True)
    def post(self, request):
        return Response({"status": "ok"})


urlpatterns = [path(CEILING_PATH.lstrip("/"), CeilingApi.as_view(), name="bench-ceiling"), *api_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
