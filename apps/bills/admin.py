from django.contrib import admin

from apps.bills.models import Bill, BillPayment, BillReminder
from apps.common.admin import ReadOnlyAdminMixin


class BillPaymentInline(admin.TabularInline):
    model = BillPayment
    extra = 0
    fields = readonly_fields = ("due_date", "paid_on", "amount", "currency", "paid_by", "note")
    can_delete = False


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "household", "amount", "currency", "due_date", "recurrence", "is_paid"]
    list_filter = ["recurrence", "is_paid", "currency"]
    search_fields = ["name", "payee", "household__name"]
    raw_id_fields = ["household", "created_by"]
    readonly_fields = ["anchor_day", "remind_from", "paid_at"]
    date_hierarchy = "due_date"
    inlines = [BillPaymentInline]


@admin.register(BillReminder)
class BillReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "bill", "due_date", "user", "created_at"]
    raw_id_fields = ["bill", "user"]
    date_hierarchy = "created_at"
