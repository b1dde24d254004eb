from django.urls import path

from apps.users.apis.auth import LoginApi, LogoutApi, MeApi, TokenRefreshApi

urlpatterns = [
    path("auth/login/", LoginApi.as_view(), name="login"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutApi.as_view(), name="logout"),
    path("auth/me/", MeApi.as_view(), name="me"),
]
