from marketing.application.access import bounded, customer_for
from marketing.application.ports import Actor, MarketingStore
from marketing.domain.recommendations import Recommendations, recommend

# Recommendations weigh the customer's latest delivered orders, at most this many.
HISTORY = 500


class GetRecommendations:
    def __init__(self, store: MarketingStore) -> None:
        self._store = store

    def execute(self, actor: Actor, customer_id: str, max_results: int) -> Recommendations:
        customer = customer_for(actor, customer_id)
        limit = bounded("max_results", max_results, default=5, maximum=50)
        return recommend(self._store.delivered_orders(customer, HISTORY), limit)
