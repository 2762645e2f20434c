import { api, unwrap } from '../api';
import { ErrorMessage, shortId } from '../components';
import { formatTime, trackingLabel } from '../format';
import { useLoad } from '../hooks';
import { href } from '../router';

/** The messages sent about the customer's orders (one per status change), refreshed every 3 s. */
export function Notifications({ customerId }: { customerId: string }) {
  const notifications = useLoad(
    (signal) =>
      unwrap(api.GET('/v1/customers/{customerId}/notifications', { params: { path: { customerId }, query: { pageSize: 50 } }, signal })),
    [customerId],
    3000,
  );
  const list = notifications.data?.notifications ?? [];
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title" tabIndex={-1}>
        Notifications
      </h1>
      <ErrorMessage error={notifications.error} />
      {notifications.data && list.length === 0 && <p>No messages yet.</p>}
      <ul class="rows notifications">
        {list.map((notification) => (
          <li key={notification.notificationId}>
            <p>
              <strong>{trackingLabel[notification.status ?? 'TRACKING_STATUS_UNSPECIFIED']}</strong> ·{' '}
              <a href={href('orders', notification.orderId ?? '')}>Order {shortId(notification.orderId)}</a> ·{' '}
              <time dateTime={notification.createdAt}>{formatTime(notification.createdAt)}</time>
            </p>
            <p lang={/[\uac00-\ud7af]/.test(notification.text ?? '') ? 'ko' : 'en'}>{notification.text}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
