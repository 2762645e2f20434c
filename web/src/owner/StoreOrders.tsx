import { useState } from 'preact/hooks';
import { api, unwrap, type StoreOrder, type StoreOrderStatus } from '../api';
import { ErrorMessage, shortId } from '../components';
import { formatMoney, formatTime, storeOrderLabel } from '../format';
import { useLoad } from '../hooks';

type Step = 'accept' | 'startCooking' | 'startDelivery' | 'completeDelivery';

/** The next step of each status, as the store service allows it (RECEIVED → ACCEPTED → COOKING → DELIVERING → DELIVERED). */
const nextStep: Partial<Record<StoreOrderStatus, { step: Step; label: string }>> = {
  STORE_ORDER_STATUS_RECEIVED: { step: 'accept', label: 'Accept' },
  STORE_ORDER_STATUS_ACCEPTED: { step: 'startCooking', label: 'Start cooking' },
  STORE_ORDER_STATUS_COOKING: { step: 'startDelivery', label: 'Start delivery' },
  STORE_ORDER_STATUS_DELIVERING: { step: 'completeDelivery', label: 'Complete delivery' },
};
const rejectable = new Set<StoreOrderStatus>(['STORE_ORDER_STATUS_RECEIVED', 'STORE_ORDER_STATUS_ACCEPTED']);

/**
 * The store owner's incoming orders, refreshed every 2 s (the contract has no stream of a store's
 * orders; paid orders reach the store by events within moments), with the next step of each.
 */
export function StoreOrders({ storeId }: { storeId: string }) {
  const orders = useLoad(
    (signal) => unwrap(api.GET('/v1/stores/{storeId}/orders', { params: { path: { storeId }, query: { pageSize: 50 } }, signal })),
    [storeId],
    2000,
  );
  const store = useLoad((signal) => unwrap(api.GET('/v1/stores/{storeId}/menu', { params: { path: { storeId } }, signal })), [storeId]);
  const list = orders.data?.orders ?? [];
  const open = list.filter((order) => nextStep[order.status ?? 'STORE_ORDER_STATUS_UNSPECIFIED']);
  const done = list.filter((order) => !nextStep[order.status ?? 'STORE_ORDER_STATUS_UNSPECIFIED']);
  return (
    <section aria-labelledby="store-orders-title">
      <h1 id="store-orders-title" tabIndex={-1}>
        Incoming orders{store.data?.store?.name ? ` · ${store.data.store.name}` : ''}
      </h1>
      <ErrorMessage error={orders.error} />
      {orders.data && open.length === 0 && <p>No open orders. New paid orders appear here by themselves.</p>}
      <div class="orders">
        {open.map((order) => (
          <OrderCard key={order.orderId} order={order} onChanged={orders.reload} />
        ))}
      </div>
      {done.length > 0 && (
        <>
          <h2>Finished</h2>
          <ul class="rows">
            {done.map((order) => (
              <li key={order.orderId}>
                Order {shortId(order.orderId)} · {formatMoney(order.total)} ·{' '}
                <strong>{storeOrderLabel[order.status ?? 'STORE_ORDER_STATUS_UNSPECIFIED']}</strong>
                {order.statusReason && <span class="hint"> ({order.statusReason})</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function OrderCard({ order, onChanged }: { order: StoreOrder; onChanged: () => void }) {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const status = order.status ?? 'STORE_ORDER_STATUS_UNSPECIFIED';
  const next = nextStep[status];
  const titleId = `order-${order.orderId}`;
  const path = { storeId: order.storeId ?? '', orderId: order.orderId ?? '' };

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      setRejecting(false);
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const advance = (step: Step) => {
    const params = { params: { path }, body: {} };
    switch (step) {
      case 'accept':
        return unwrap(api.POST('/v1/stores/{storeId}/orders/{orderId}:accept', params));
      case 'startCooking':
        return unwrap(api.POST('/v1/stores/{storeId}/orders/{orderId}:startCooking', params));
      case 'startDelivery':
        return unwrap(api.POST('/v1/stores/{storeId}/orders/{orderId}:startDelivery', params));
      case 'completeDelivery':
        return unwrap(api.POST('/v1/stores/{storeId}/orders/{orderId}:completeDelivery', params));
    }
  };

  return (
    <article class="card order" aria-labelledby={titleId} data-order-id={order.orderId}>
      <h2 id={titleId}>Order {shortId(order.orderId)}</h2>
      <p>
        <span class={`pill ${status.toLowerCase()}`}>{storeOrderLabel[status]}</span> · received {formatTime(order.receivedAt)}
      </p>
      <ul class="lines">
        {(order.items ?? []).map((item) => (
          <li key={item.menuItemId}>
            {item.quantity} × {item.name}
          </li>
        ))}
      </ul>
      <p>
        {formatMoney(order.total)} · to {order.deliveryAddress}
      </p>
      <div class="actions">
        {next && (
          <button type="button" disabled={busy} onClick={() => void run(() => advance(next.step))}>
            {next.label}
          </button>
        )}
        {rejectable.has(status) && !rejecting && (
          <button type="button" class="secondary" disabled={busy} onClick={() => setRejecting(true)}>
            Reject
          </button>
        )}
      </div>
      {rejecting && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void run(() =>
              unwrap(api.POST('/v1/stores/{storeId}/orders/{orderId}:reject', { params: { path }, body: { reason: reason.trim() } })),
            );
          }}
        >
          <label>
            Reason for the customer
            <input name="reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <button type="submit" class="danger" disabled={busy}>
            Reject order
          </button>
          <button type="button" class="secondary" onClick={() => setRejecting(false)}>
            Keep order
          </button>
        </form>
      )}
      <ErrorMessage error={error} />
    </article>
  );
}
