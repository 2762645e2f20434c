import datetime

from fooddelivery.common.v1 import money_pb2 as _money_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Coupon(_message.Message):
    __slots__ = ("coupon_id", "customer_id", "amount", "earned_by_order_id", "delivered_orders", "issued_at", "expires_at")
    COUPON_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    EARNED_BY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    coupon_id: str
    customer_id: str
    amount: _money_pb2.Money
    earned_by_order_id: str
    delivered_orders: int
    issued_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, coupon_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., earned_by_order_id: _Optional[str] = ..., delivered_orders: _Optional[int] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StoreRecommendation(_message.Message):
    __slots__ = ("store_id", "delivered_orders", "last_delivered_at")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    LAST_DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    delivered_orders: int
    last_delivered_at: _timestamp_pb2.Timestamp
    def __init__(self, store_id: _Optional[str] = ..., delivered_orders: _Optional[int] = ..., last_delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MenuItemRecommendation(_message.Message):
    __slots__ = ("store_id", "menu_item_id", "name", "quantity_ordered", "orders")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    MENU_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_ORDERED_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    menu_item_id: str
    name: str
    quantity_ordered: int
    orders: int
    def __init__(self, store_id: _Optional[str] = ..., menu_item_id: _Optional[str] = ..., name: _Optional[str] = ..., quantity_ordered: _Optional[int] = ..., orders: _Optional[int] = ...) -> None: ...
