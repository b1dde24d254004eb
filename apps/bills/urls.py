from django.urls import path

from apps.bills import apis
from apps.common import converters  # noqa: F401 — registers <id:>

urlpatterns = [
    path("bills/", apis.BillListApi.as_view(), name="bill-list"),
    path("bills/<id:bill_id>/", apis.BillDetailApi.as_view(), name="bill-detail"),
    path("bills/<id:bill_id>/pay/", apis.BillPayApi.as_view(), name="bill-pay"),
    path("bills/<id:bill_id>/payments/", apis.BillPaymentListApi.as_view(), name="bill-payments"),
]
