from fooddelivery.store.v1 import store_order_pb2 as _store_order_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListStoreOrdersRequest(_message.Message):
    __slots__ = ("store_id", "status", "page_size", "page_token")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    status: _store_order_pb2.StoreOrderStatus
    page_size: int
    page_token: str
    def __init__(self, store_id: _Optional[str] = ..., status: _Optional[_Union[_store_order_pb2.StoreOrderStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListStoreOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[_store_order_pb2.StoreOrder]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[_store_order_pb2.StoreOrder, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AcceptOrderRequest(_message.Message):
    __slots__ = ("store_id", "order_id")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    order_id: str
    def __init__(self, store_id: _Optional[str] = ..., order_id: _Optional[str] = ...) -> None: ...

class AcceptOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _store_order_pb2.StoreOrder
    def __init__(self, order: _Optional[_Union[_store_order_pb2.StoreOrder, _Mapping]] = ...) -> None: ...

class StartCookingRequest(_message.Message):
    __slots__ = ("store_id", "order_id")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    order_id: str
    def __init__(self, store_id: _Optional[str] = ..., order_id: _Optional[str] = ...) -> None: ...

class StartCookingResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _store_order_pb2.StoreOrder
    def __init__(self, order: _Optional[_Union[_store_order_pb2.StoreOrder, _Mapping]] = ...) -> None: ...

class StartDeliveryRequest(_message.Message):
    __slots__ = ("store_id", "order_id")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    order_id: str
    def __init__(self, store_id: _Optional[str] = ..., order_id: _Optional[str] = ...) -> None: ...

class StartDeliveryResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _store_order_pb2.StoreOrder
    def __init__(self, order: _Optional[_Union[_store_order_pb2.StoreOrder, _Mapping]] = ...) -> None: ...

class CompleteDeliveryRequest(_message.Message):
    __slots__ = ("store_id", "order_id")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    order_id: str
    def __init__(self, store_id: _Optional[str] = ..., order_id: _Optional[str] = ...) -> None: ...

class CompleteDeliveryResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _store_order_pb2.StoreOrder
    def __init__(self, order: _Optional[_Union[_store_order_pb2.StoreOrder, _Mapping]] = ...) -> None: ...

class RejectOrderRequest(_message.Message):
    __slots__ = ("store_id", "order_id", "reason")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    order_id: str
    reason: str
    def __init__(self, store_id: _Optional[str] = ..., order_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RejectOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _store_order_pb2.StoreOrder
    def __init__(self, order: _Optional[_Union[_store_order_pb2.StoreOrder, _Mapping]] = ...) -> None: ...
