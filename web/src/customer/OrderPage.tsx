import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, finishedTracking, unwrap, watchOrder, type Order, type OrderTracking } from '../api';
import { ErrorMessage, Notice, shortId } from '../components';
import { formatMoney, formatTime, orderLabel, reached, trackingLabel, trackingSteps } from '../format';
import { useLoad } from '../hooks';
import { href } from '../router';

const cancellable = new Set<Order['status']>(['ORDER_STATUS_PAID', 'ORDER_STATUS_ACCEPTED', 'ORDER_STATUS_COOKING']);

/**
 * One order, live: WatchOrder streams the tracking view (built by the notification service from
 * events) as it changes; GetOrder gives the order's lines and where a cancellation stands.
 */
export function OrderPage({ orderId }: { orderId: string }) {
  const tracking = useWatchedTracking(orderId);
  const status = tracking.tracking?.status;
  const decidingCancellation = (order: Order | undefined) => order?.cancellationStatus === 'CANCELLATION_STATUS_REQUESTED';
  const [cancelAnswer, setCancelAnswer] = useState<Order | undefined>(undefined);
  // The order again at each change of its tracking, and every 2 s while the store decides a
  // cancellation (a refusal changes no status, so the tracking would not say).
  const [deciding, setDeciding] = useState(false);
  const order = useLoad(
    (signal) => unwrap(api.GET('/v1/orders/{orderId}', { params: { path: { orderId } }, signal })).then((answer) => answer.order),
    [orderId, status],
    deciding ? 2000 : undefined,
  );
  useEffect(() => setDeciding(decidingCancellation(order.data ?? cancelAnswer)), [order.data, cancelAnswer]);
  const current = order.data ?? cancelAnswer;
  useEffect(() => {
    if (cancelAnswer && order.data && !decidingCancellation(order.data)) setCancelAnswer(undefined);
  }, [order.data]);

  return (
    <section aria-labelledby="order-title">
      <p>
        <a href={href('orders')}>← My orders</a>
      </p>
      <h1 id="order-title" tabIndex={-1}>
        Order {shortId(orderId)}
      </h1>
      <p class="status-line" role="status" aria-live="polite">
        Status: <strong data-testid="tracking-status">{status ? trackingLabel[status] : 'Waiting for the order'}</strong>
        {tracking.reconnecting && <span class="hint"> (reconnecting…)</span>}
      </p>
      <ol class="steps" aria-label="Progress">
        {trackingSteps.map((step) => (
          <li key={step} class={reached(tracking.tracking, step) ? 'done' : ''} aria-current={status === step ? 'step' : undefined}>
            {trackingLabel[step]}
          </li>
        ))}
      </ol>
      <ErrorMessage error={tracking.error} />
      {current && <OrderDetails order={current} />}
      {current && <Cancellation order={current} onAnswer={(answer) => (setCancelAnswer(answer), order.reload())} />}
      <ErrorMessage error={order.error} />
      {tracking.tracking && <Timeline tracking={tracking.tracking} />}
    </section>
  );
}

/** The tracking as WatchOrder streams it, reconnecting (1 s, 2 s, … 10 s) when the stream breaks off. */
function useWatchedTracking(orderId: string) {
  const [state, setState] = useState<{ tracking?: OrderTracking; error?: unknown; reconnecting: boolean }>({ reconnecting: false });
  useEffect(() => {
    const controller = new AbortController();
    setState({ reconnecting: false });
    void (async () => {
      for (let attempt = 0; !controller.signal.aborted; attempt++) {
        let last: OrderTracking | undefined;
        try {
          for await (const tracking of watchOrder(orderId, controller.signal)) {
            last = tracking;
            attempt = 0;
            setState({ tracking, reconnecting: false });
          }
          if (last?.status && finishedTracking.has(last.status)) return;
        } catch (error) {
          if (controller.signal.aborted) return;
          if (error instanceof ApiError && error.httpStatus < 500) {
            setState((previous) => ({ ...previous, error, reconnecting: false }));
            return;
          }
        }
        setState((previous) => ({ ...previous, reconnecting: true }));
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 1000 * 2 ** attempt)));
      }
    })();
    return () => controller.abort();
  }, [orderId]);
  return state;
}

function OrderDetails({ order }: { order: Order }) {
  return (
    <div class="panel">
      <h2>Details</h2>
      <ul class="lines">
        {(order.items ?? []).map((item) => (
          <li key={item.menuItemId}>
            {item.quantity} × {item.name} <span class="amount">{formatMoney(item.lineTotal)}</span>
          </li>
        ))}
      </ul>
      <p>
        Total <strong>{formatMoney(order.total)}</strong> · to {order.deliveryAddress}
      </p>
      <p>
        Order status: <span data-testid="order-status">{orderLabel[order.status ?? 'ORDER_STATUS_UNSPECIFIED']}</span>
        {order.statusReason && <> ({order.statusReason})</>}
      </p>
    </div>
  );
}

function Cancellation({ order, onAnswer }: { order: Order; onAnswer: (order: Order | undefined) => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  if (order.cancellationStatus === 'CANCELLATION_STATUS_REQUESTED') {
    return <Notice>Cancellation requested: waiting for the store to decide.</Notice>;
  }
  if (order.cancellationStatus === 'CANCELLATION_STATUS_REFUSED') {
    return <Notice>The store could not cancel this order: {order.cancellationRefusal || 'delivery had already started'}.</Notice>;
  }
  if (order.status === 'ORDER_STATUS_CANCELLED') return <Notice>This order was cancelled; the payment is refunded.</Notice>;
  if (!cancellable.has(order.status)) return <ErrorMessage error={error} />;

  async function cancel(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await unwrap(
        api.POST('/v1/orders/{orderId}:cancel', { params: { path: { orderId: order.orderId ?? '' } }, body: { reason: reason.trim() } }),
      );
      onAnswer(answer.order);
    } catch (failure) {
      setError(failure);
      onAnswer(undefined);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" onSubmit={(event) => void cancel(event)} aria-labelledby="cancel-title">
      <h2 id="cancel-title">Cancel</h2>
      <p class="hint">You can cancel until the store starts delivery; the payment is then refunded.</p>
      <label>
        Reason (optional)
        <input name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <button type="submit" class="danger" disabled={busy}>
        {busy ? 'Cancelling…' : 'Cancel order'}
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

function Timeline({ tracking }: { tracking: OrderTracking }) {
  return (
    <div class="panel">
      <h2>History</h2>
      <ol class="timeline">
        {(tracking.timeline ?? []).map((step, index) => (
          <li key={index}>
            <time dateTime={step.occurredAt}>{formatTime(step.occurredAt)}</time>{' '}
            {trackingLabel[step.status ?? 'TRACKING_STATUS_UNSPECIFIED']}
            {step.reason && <span class="hint"> — {step.reason}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}
