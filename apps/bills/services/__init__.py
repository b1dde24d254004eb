from apps.bills.services.bills import bill_create, bill_delete, bill_mark_paid, bill_update

__all__ = ["bill_create", "bill_delete", "bill_mark_paid", "bill_update"]
