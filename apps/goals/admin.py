from django.contrib import admin

from apps.common.admin import ReadOnlyAdminMixin
from apps.goals.models import Goal, GoalContribution, GoalMilestoneReached


class GoalContributionInline(admin.TabularInline):
    model = GoalContribution
    extra = 0
    fields = readonly_fields = ("contributed_on", "amount", "user", "note")
    can_delete = False


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "household", "current_amount", "target_amount", "currency", "deadline"]
    search_fields = ["name", "household__name"]
    raw_id_fields = ["household", "owner", "created_by"]
    readonly_fields = ["current_amount"]
    inlines = [GoalContributionInline]


@admin.register(GoalMilestoneReached)
class GoalMilestoneReachedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "goal", "milestone", "reached_at"]
    list_filter = ["milestone"]
    raw_id_fields = ["goal"]
