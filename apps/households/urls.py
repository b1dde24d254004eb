from django.urls import path

from apps.common import converters  # noqa: F401 — registers <id:>
from apps.households.apis import households, invites, members

urlpatterns = [
    path("households/", households.HouseholdListApi.as_view(), name="household-list"),
    path("households/<id:household_id>/", households.HouseholdDetailApi.as_view(), name="household-detail"),
    path("households/<id:household_id>/members/", members.MemberListApi.as_view(), name="household-members"),
    path(
        "households/<id:household_id>/members/<id:user_id>/",
        members.MemberDetailApi.as_view(),
        name="household-member",
    ),
    path("households/<id:household_id>/leave/", members.HouseholdLeaveApi.as_view(), name="household-leave"),
    path("households/<id:household_id>/invites/", invites.InviteListApi.as_view(), name="household-invites"),
    path(
        "households/<id:household_id>/invites/<id:invite_id>/",
        invites.InviteDetailApi.as_view(),
        name="household-invite",
    ),
    path("invites/accept/", invites.InviteAcceptApi.as_view(), name="invite-accept"),
]
