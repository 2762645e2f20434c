"""MarketingService: generated request and response messages ↔ the use cases. Served over gRPC and
REST alike."""

from __future__ import annotations

import asyncio
from datetime import datetime

from fooddelivery.common.v1 import money_pb2
from fooddelivery.marketing.v1 import coupon_pb2
from fooddelivery.marketing.v1 import marketing_service_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from marketing.adapters.rpc import Handler
from marketing.application.get_recommendations import GetRecommendations
from marketing.application.list_coupons import ListCoupons
from marketing.application.ports import Actor
from marketing.domain.coupon import Coupon

SERVICE = pb.DESCRIPTOR.services_by_name["MarketingService"]


def marketing_handlers(list_coupons: ListCoupons, get_recommendations: GetRecommendations) -> dict[str, Handler]:
    async def list_coupons_rpc(request: pb.ListCouponsRequest, actor: Actor) -> pb.ListCouponsResponse:
        page = await asyncio.to_thread(
            list_coupons.execute, actor, request.customer_id, request.page_size, request.page_token
        )
        return pb.ListCouponsResponse(coupons=[_coupon(c) for c in page.coupons], next_page_token=page.next_page_token)

    async def get_recommendations_rpc(
        request: pb.GetRecommendationsRequest, actor: Actor
    ) -> pb.GetRecommendationsResponse:
        found = await asyncio.to_thread(get_recommendations.execute, actor, request.customer_id, request.max_results)
        return pb.GetRecommendationsResponse(
            stores=[
                coupon_pb2.StoreRecommendation(
                    store_id=s.store_id,
                    delivered_orders=s.delivered_orders,
                    last_delivered_at=_timestamp(s.last_delivered_at),
                )
                for s in found.stores
            ],
            menu_items=[
                coupon_pb2.MenuItemRecommendation(
                    store_id=i.store_id,
                    menu_item_id=i.menu_item_id,
                    name=i.name,
                    quantity_ordered=i.quantity_ordered,
                    orders=i.orders,
                )
                for i in found.menu_items
            ],
            delivered_orders=found.delivered_orders,
        )

    return {"ListCoupons": list_coupons_rpc, "GetRecommendations": get_recommendations_rpc}  # type: ignore[dict-item]


def _coupon(coupon: Coupon) -> coupon_pb2.Coupon:
    return coupon_pb2.Coupon(
        coupon_id=coupon.coupon_id,
        customer_id=coupon.customer_id,
        amount=money_pb2.Money(currency_code=coupon.amount.currency_code, amount_minor=coupon.amount.amount_minor),
        earned_by_order_id=coupon.earned_by_order_id,
        delivered_orders=coupon.delivered_orders,
        issued_at=_timestamp(coupon.issued_at),
        expires_at=_timestamp(coupon.expires_at),
    )


def _timestamp(at: datetime) -> Timestamp:
    timestamp = Timestamp()
    timestamp.FromDatetime(at)
    return timestamp
