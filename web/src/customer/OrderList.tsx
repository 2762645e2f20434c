import { api, unwrap } from '../api';
import { ErrorMessage, shortId } from '../components';
import { formatMoney, formatTime, orderLabel } from '../format';
import { useLoad } from '../hooks';
import { href } from '../router';

export function OrderList() {
  const orders = useLoad((signal) => unwrap(api.GET('/v1/orders', { params: { query: { pageSize: 50 } }, signal })), [], 5000);
  const list = orders.data?.orders ?? [];
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title" tabIndex={-1}>
        My orders
      </h1>
      <ErrorMessage error={orders.error} />
      {orders.data && list.length === 0 && <p>No orders yet.</p>}
      <ul class="rows">
        {list.map((order) => (
          <li key={order.orderId}>
            <a href={href('orders', order.orderId ?? '')}>Order {shortId(order.orderId)}</a> · {formatTime(order.placedAt)} ·{' '}
            {formatMoney(order.total)} · <strong>{orderLabel[order.status ?? 'ORDER_STATUS_UNSPECIFIED']}</strong>
          </li>
        ))}
      </ul>
    </section>
  );
}
