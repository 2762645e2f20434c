import datetime

from fooddelivery.common.v1 import line_item_pb2 as _line_item_pb2
from fooddelivery.common.v1 import money_pb2 as _money_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_PAID: _ClassVar[OrderStatus]
    ORDER_STATUS_ACCEPTED: _ClassVar[OrderStatus]
    ORDER_STATUS_COOKING: _ClassVar[OrderStatus]
    ORDER_STATUS_DELIVERING: _ClassVar[OrderStatus]
    ORDER_STATUS_DELIVERED: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]
    ORDER_STATUS_REJECTED: _ClassVar[OrderStatus]

class CancellationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCELLATION_STATUS_UNSPECIFIED: _ClassVar[CancellationStatus]
    CANCELLATION_STATUS_REQUESTED: _ClassVar[CancellationStatus]
    CANCELLATION_STATUS_REFUSED: _ClassVar[CancellationStatus]
    CANCELLATION_STATUS_ACCEPTED: _ClassVar[CancellationStatus]
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_PAID: OrderStatus
ORDER_STATUS_ACCEPTED: OrderStatus
ORDER_STATUS_COOKING: OrderStatus
ORDER_STATUS_DELIVERING: OrderStatus
ORDER_STATUS_DELIVERED: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_STATUS_REJECTED: OrderStatus
CANCELLATION_STATUS_UNSPECIFIED: CancellationStatus
CANCELLATION_STATUS_REQUESTED: CancellationStatus
CANCELLATION_STATUS_REFUSED: CancellationStatus
CANCELLATION_STATUS_ACCEPTED: CancellationStatus

class Store(_message.Message):
    __slots__ = ("store_id", "name", "open", "cuisine")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    CUISINE_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    name: str
    open: bool
    cuisine: str
    def __init__(self, store_id: _Optional[str] = ..., name: _Optional[str] = ..., open: _Optional[bool] = ..., cuisine: _Optional[str] = ...) -> None: ...

class MenuItem(_message.Message):
    __slots__ = ("menu_item_id", "name", "price", "available")
    MENU_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    menu_item_id: str
    name: str
    price: _money_pb2.Money
    available: bool
    def __init__(self, menu_item_id: _Optional[str] = ..., name: _Optional[str] = ..., price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., available: _Optional[bool] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "customer_id", "store_id", "items", "total", "delivery_address", "status", "payment_id", "placed_at", "updated_at", "status_reason", "cancellation_status", "cancellation_refusal")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PLACED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_REFUSAL_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    customer_id: str
    store_id: str
    items: _containers.RepeatedCompositeFieldContainer[_line_item_pb2.LineItem]
    total: _money_pb2.Money
    delivery_address: str
    status: OrderStatus
    payment_id: str
    placed_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    status_reason: str
    cancellation_status: CancellationStatus
    cancellation_refusal: str
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[_line_item_pb2.LineItem, _Mapping]]] = ..., total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., delivery_address: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., payment_id: _Optional[str] = ..., placed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status_reason: _Optional[str] = ..., cancellation_status: _Optional[_Union[CancellationStatus, str]] = ..., cancellation_refusal: _Optional[str] = ...) -> None: ...
