from django.urls import path

from apps.common import converters  # noqa: F401 — registers <id:>
from apps.households import apis

urlpatterns = [
    path("households/", apis.HouseholdListApi.as_view(), name="household-list"),
    path("households/<id:household_id>/", apis.HouseholdDetailApi.as_view(), name="household-detail"),
    path("households/<id:household_id>/members/", apis.MemberListApi.as_view(), name="household-members"),
    path(
        "households/<id:household_id>/members/<id:user_id>/",
        apis.MemberDetailApi.as_view(),
        name="household-member",
    ),
    path("households/<id:household_id>/leave/", apis.HouseholdLeaveApi.as_view(), name="household-leave"),
    path("households/<id:household_id>/invites/", apis.InviteListApi.as_view(), name="household-invites"),
    path(
        "households/<id:household_id>/invites/<id:invite_id>/",
        apis.InviteDetailApi.as_view(),
        name="household-invite",
    ),
    path("invites/accept/", apis.InviteAcceptApi.as_view(), name="invite-accept"),
]
