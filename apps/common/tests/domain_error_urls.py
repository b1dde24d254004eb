"""Views that raise each domain error next to the DRF error that answered the same case before, so a test can
compare the two responses (pytest.mark.urls)."""

from django.urls import path
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from apps.common.exceptions import InvalidInput, RateLimited, field_error


def _raising(error):
    class RaisingApi(APIView):
        permission_classes = [AllowAny]
        authentication_classes = []

        def get(self, request):
            raise error()

    return RaisingApi.as_view()


urlpatterns = [
    path("domain/paused/", _raising(lambda: RateLimited(wait=2.2))),
    path("drf/paused/", _raising(lambda: exceptions.Throttled(wait=2.2))),
    path("domain/one-second/", _raising(lambda: RateLimited(wait=0.4))),
    path("drf/one-second/", _raising(lambda: exceptions.Throttled(wait=0.4))),
    path("domain/field/", _raising(lambda: field_error("deadline", "In the past.", code="deadline_past"))),
    path(
        "drf/field/",
        _raising(
            lambda: exceptions.ValidationError(
                {"deadline": [ErrorDetail("In the past.", code="deadline_past")]}
            )
        ),
    ),
    path("domain/fields/", _raising(lambda: InvalidInput({"new_password": ["Too short.", "Too common."]}))),
    path(
        "drf/fields/",
        _raising(lambda: exceptions.ValidationError({"new_password": ["Too short.", "Too common."]})),
    ),
]
