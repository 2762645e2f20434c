"""What marketing keeps of other contexts' orders: the items of a placed order, and its delivery."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OrderedItem:
    menu_item_id: str
    name: str
    quantity: int


@dataclass(frozen=True)
class PlacedOrder:
    """From order's OrderPlaced: who ordered what, where."""

    order_id: str
    customer_id: str
    store_id: str
    items: tuple[OrderedItem, ...]
    placed_at: datetime


@dataclass(frozen=True)
class Delivery:
    """From store's DeliveryCompleted: the order reached its customer."""

    event_id: str
    order_id: str
    customer_id: str
    store_id: str
    delivered_at: datetime


@dataclass(frozen=True)
class DeliveredOrder:
    """A delivered order with its items (empty while its OrderPlaced has not been seen)."""

    order_id: str
    store_id: str
    delivered_at: datetime
    items: tuple[OrderedItem, ...]
