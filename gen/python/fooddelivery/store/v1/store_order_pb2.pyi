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

class StoreOrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STORE_ORDER_STATUS_UNSPECIFIED: _ClassVar[StoreOrderStatus]
    STORE_ORDER_STATUS_RECEIVED: _ClassVar[StoreOrderStatus]
    STORE_ORDER_STATUS_ACCEPTED: _ClassVar[StoreOrderStatus]
    STORE_ORDER_STATUS_COOKING: _ClassVar[StoreOrderStatus]
    STORE_ORDER_STATUS_DELIVERING: _ClassVar[StoreOrderStatus]
    STORE_ORDER_STATUS_DELIVERED: _ClassVar[StoreOrderStatus]
    STORE_ORDER_STATUS_REJECTED: _ClassVar[StoreOrderStatus]
    STORE_ORDER_STATUS_CANCELLED: _ClassVar[StoreOrderStatus]
STORE_ORDER_STATUS_UNSPECIFIED: StoreOrderStatus
STORE_ORDER_STATUS_RECEIVED: StoreOrderStatus
STORE_ORDER_STATUS_ACCEPTED: StoreOrderStatus
STORE_ORDER_STATUS_COOKING: StoreOrderStatus
STORE_ORDER_STATUS_DELIVERING: StoreOrderStatus
STORE_ORDER_STATUS_DELIVERED: StoreOrderStatus
STORE_ORDER_STATUS_REJECTED: StoreOrderStatus
STORE_ORDER_STATUS_CANCELLED: StoreOrderStatus

class StoreOrder(_message.Message):
    __slots__ = ("order_id", "store_id", "customer_id", "items", "total", "delivery_address", "status", "status_reason", "received_at", "updated_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    store_id: str
    customer_id: str
    items: _containers.RepeatedCompositeFieldContainer[_line_item_pb2.LineItem]
    total: _money_pb2.Money
    delivery_address: str
    status: StoreOrderStatus
    status_reason: str
    received_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., store_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[_line_item_pb2.LineItem, _Mapping]]] = ..., total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., delivery_address: _Optional[str] = ..., status: _Optional[_Union[StoreOrderStatus, str]] = ..., status_reason: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
