import datetime

from fooddelivery.common.v1 import money_pb2 as _money_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TrackingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRACKING_STATUS_UNSPECIFIED: _ClassVar[TrackingStatus]
    TRACKING_STATUS_PAID: _ClassVar[TrackingStatus]
    TRACKING_STATUS_ACCEPTED: _ClassVar[TrackingStatus]
    TRACKING_STATUS_COOKING: _ClassVar[TrackingStatus]
    TRACKING_STATUS_DELIVERING: _ClassVar[TrackingStatus]
    TRACKING_STATUS_DELIVERED: _ClassVar[TrackingStatus]
    TRACKING_STATUS_CANCELLED: _ClassVar[TrackingStatus]
    TRACKING_STATUS_REJECTED: _ClassVar[TrackingStatus]
    TRACKING_STATUS_REFUNDED: _ClassVar[TrackingStatus]

class DeliveryState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATE_UNSPECIFIED: _ClassVar[DeliveryState]
    DELIVERY_STATE_PENDING: _ClassVar[DeliveryState]
    DELIVERY_STATE_SENT: _ClassVar[DeliveryState]
    DELIVERY_STATE_FAILED: _ClassVar[DeliveryState]
TRACKING_STATUS_UNSPECIFIED: TrackingStatus
TRACKING_STATUS_PAID: TrackingStatus
TRACKING_STATUS_ACCEPTED: TrackingStatus
TRACKING_STATUS_COOKING: TrackingStatus
TRACKING_STATUS_DELIVERING: TrackingStatus
TRACKING_STATUS_DELIVERED: TrackingStatus
TRACKING_STATUS_CANCELLED: TrackingStatus
TRACKING_STATUS_REJECTED: TrackingStatus
TRACKING_STATUS_REFUNDED: TrackingStatus
DELIVERY_STATE_UNSPECIFIED: DeliveryState
DELIVERY_STATE_PENDING: DeliveryState
DELIVERY_STATE_SENT: DeliveryState
DELIVERY_STATE_FAILED: DeliveryState

class TrackingStep(_message.Message):
    __slots__ = ("status", "occurred_at", "reason")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    status: TrackingStatus
    occurred_at: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, status: _Optional[_Union[TrackingStatus, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class OrderTracking(_message.Message):
    __slots__ = ("order_id", "customer_id", "store_id", "total", "status", "timeline", "updated_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    customer_id: str
    store_id: str
    total: _money_pb2.Money
    status: TrackingStatus
    timeline: _containers.RepeatedCompositeFieldContainer[TrackingStep]
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[TrackingStatus, str]] = ..., timeline: _Optional[_Iterable[_Union[TrackingStep, _Mapping]]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Notification(_message.Message):
    __slots__ = ("notification_id", "customer_id", "order_id", "status", "text", "channel", "delivery_state", "attempts", "last_error", "created_at", "sent_at")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    customer_id: str
    order_id: str
    status: TrackingStatus
    text: str
    channel: str
    delivery_state: DeliveryState
    attempts: int
    last_error: str
    created_at: _timestamp_pb2.Timestamp
    sent_at: _timestamp_pb2.Timestamp
    def __init__(self, notification_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., order_id: _Optional[str] = ..., status: _Optional[_Union[TrackingStatus, str]] = ..., text: _Optional[str] = ..., channel: _Optional[str] = ..., delivery_state: _Optional[_Union[DeliveryState, str]] = ..., attempts: _Optional[int] = ..., last_error: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
