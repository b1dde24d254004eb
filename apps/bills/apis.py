from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.bills import selectors, services
from apps.bills.serializers import (
    BillFilterSerializer,
    BillInputSerializer,
    BillPayInputSerializer,
    BillPaymentSerializer,
    BillPayResultSerializer,
    BillSerializer,
    BillUpdateSerializer,
)
from apps.common.pagination import list_schema, paginated_response, query_filters
from apps.common.schema import errors
from apps.common.serializers import validated_body

TAGS = ["bills"]


class BillListApi(APIView):
    @list_schema(
        BillSerializer,
        filters=BillFilterSerializer,
        statuses=(400, 401),
        tags=TAGS,
        summary="Bills in your households, soonest due first",
        operation_id="v1_bills_list",
    )
    def get(self, request):
        bills = selectors.bill_list(user=request.user, filters=query_filters(request, BillFilterSerializer))
        return paginated_response(request=request, view=self, queryset=bills, serializer_class=BillSerializer)

    @extend_schema(
        request=BillInputSerializer,
        responses={201: BillSerializer, **errors(400, 401, 403)},
        tags=TAGS,
        summary="Create a bill (not viewers)",
    )
    def post(self, request):
        fields = validated_body(request, BillInputSerializer, request=request)
        bill = services.bill_create(
            user=request.user, household_id=fields.pop("household"), **fields, request=request
        )
        return Response(BillSerializer(bill).data, status=status.HTTP_201_CREATED)


class BillDetailApi(APIView):
    @extend_schema(responses={200: BillSerializer, **errors(401, 404)}, tags=TAGS, summary="A bill")
    def get(self, request, bill_id: int):
        return Response(BillSerializer(selectors.bill_get(user=request.user, bill_id=bill_id)).data)

    @extend_schema(
        request=BillUpdateSerializer,
        responses={200: BillSerializer, **errors(400, 401, 403, 404, 409)},
        tags=TAGS,
        summary="Change a bill (changing the due date also moves its monthly anchor day)",
    )
    def patch(self, request, bill_id: int):
        data = validated_body(request, BillUpdateSerializer)
        bill = services.bill_update(user=request.user, bill_id=bill_id, data=data, request=request)
        return Response(BillSerializer(bill).data)

    @extend_schema(responses={204: None, **errors(401, 403, 404)}, tags=TAGS, summary="Delete a bill")
    def delete(self, request, bill_id: int):
        services.bill_delete(user=request.user, bill_id=bill_id, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BillPayApi(APIView):
    @extend_schema(
        request=BillPayInputSerializer,
        responses={201: BillPayResultSerializer, **errors(400, 401, 403, 404, 409)},
        tags=TAGS,
        summary="Mark the current occurrence paid",
        description="Records a payment. A one-off bill becomes paid; a recurring bill moves to its next due "
        "date (monthly/yearly keep their anchor day, clamped to short months).",
    )
    def post(self, request, bill_id: int):
        data = validated_body(request, BillPayInputSerializer)
        payment = services.bill_mark_paid(user=request.user, bill_id=bill_id, **data, request=request)
        bill = selectors.bill_get(user=request.user, bill_id=bill_id)
        return Response(
            {"bill": BillSerializer(bill).data, "payment": BillPaymentSerializer(payment).data},
            status=status.HTTP_201_CREATED,
        )


class BillPaymentListApi(APIView):
    @list_schema(
        BillPaymentSerializer,
        statuses=(401, 404),
        tags=TAGS,
        summary="Payment history of a bill, newest first",
        operation_id="v1_bills_payments_list",
    )
    def get(self, request, bill_id: int):
        payments = selectors.bill_payment_list(user=request.user, bill_id=bill_id)
        return paginated_response(
            request=request, view=self, queryset=payments, serializer_class=BillPaymentSerializer
        )
