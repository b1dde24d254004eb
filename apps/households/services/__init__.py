from apps.households.services.households import household_create, household_delete, household_update
from apps.households.services.invites import invite_accept, invite_create, invite_revoke
from apps.households.services.members import household_leave, member_change_role, member_remove

__all__ = [
    "household_create",
    "household_delete",
    "household_leave",
    "household_update",
    "invite_accept",
    "invite_create",
    "invite_revoke",
    "member_change_role",
    "member_remove",
]
