from fooddelivery.marketing.v1 import coupon_pb2 as _coupon_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListCouponsRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCouponsResponse(_message.Message):
    __slots__ = ("coupons", "next_page_token")
    COUPONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    coupons: _containers.RepeatedCompositeFieldContainer[_coupon_pb2.Coupon]
    next_page_token: str
    def __init__(self, coupons: _Optional[_Iterable[_Union[_coupon_pb2.Coupon, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetRecommendationsRequest(_message.Message):
    __slots__ = ("customer_id", "max_results")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    max_results: int
    def __init__(self, customer_id: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class GetRecommendationsResponse(_message.Message):
    __slots__ = ("stores", "menu_items", "delivered_orders")
    STORES_FIELD_NUMBER: _ClassVar[int]
    MENU_ITEMS_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    stores: _containers.RepeatedCompositeFieldContainer[_coupon_pb2.StoreRecommendation]
    menu_items: _containers.RepeatedCompositeFieldContainer[_coupon_pb2.MenuItemRecommendation]
    delivered_orders: int
    def __init__(self, stores: _Optional[_Iterable[_Union[_coupon_pb2.StoreRecommendation, _Mapping]]] = ..., menu_items: _Optional[_Iterable[_Union[_coupon_pb2.MenuItemRecommendation, _Mapping]]] = ..., delivered_orders: _Optional[int] = ...) -> None: ...
