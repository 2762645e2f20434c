"""CouponIssued as it goes on the wire (fooddelivery.marketing.v1.CouponIssued)."""

from datetime import datetime

from fooddelivery.common.v1 import money_pb2
from fooddelivery.marketing.v1 import marketing_events_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from marketing.adapters.persistence.sql_store import OutgoingEvent
from marketing.domain.coupon import CouponIssued

MARKETING_STREAM = "FOODDELIVERY_MARKETING"
MARKETING_SUBJECTS = ["fooddelivery.marketing.>"]
COUPON_ISSUED_SUBJECT = "fooddelivery.marketing.coupon_issued"


def encode_coupon_issued(issued: CouponIssued) -> OutgoingEvent:
    coupon = issued.coupon
    message = marketing_events_pb2.CouponIssued(
        event_id=issued.event_id,
        order_id=coupon.earned_by_order_id,
        occurred_at=_timestamp(coupon.issued_at),
        coupon_id=coupon.coupon_id,
        customer_id=coupon.customer_id,
        amount=money_pb2.Money(currency_code=coupon.amount.currency_code, amount_minor=coupon.amount.amount_minor),
        delivered_orders=coupon.delivered_orders,
        expires_at=_timestamp(coupon.expires_at),
    )
    return OutgoingEvent(
        event_id=issued.event_id,
        subject=COUPON_ISSUED_SUBJECT,
        event_type=message.DESCRIPTOR.full_name,
        order_id=coupon.earned_by_order_id,
        causation_id=issued.causation_id,
        payload=message.SerializeToString(),
    )


def _timestamp(at: datetime) -> Timestamp:
    timestamp = Timestamp()
    timestamp.FromDatetime(at)
    return timestamp
