from marketing.application.ports import MarketingStore
from marketing.domain.orders import PlacedOrder


class RememberPlacedOrder:
    """Policy on OrderPlaced: keep what was ordered, for recommendations once it is delivered."""

    def __init__(self, store: MarketingStore, consumer: str) -> None:
        self._store = store
        self._consumer = consumer

    def execute(self, event_id: str, order: PlacedOrder) -> bool:
        """False when the event was handled before (nothing changes)."""
        with self._store.transaction() as tx:
            if not tx.first_time(self._consumer, event_id):
                return False
            tx.remember_placed_order(order)
            return True
