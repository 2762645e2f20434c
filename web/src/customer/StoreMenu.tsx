import { useRef, useState } from 'preact/hooks';
import { api, ApiError, unwrap, type Money } from '../api';
import { ErrorMessage } from '../components';
import { formatMoney, moneyTimes } from '../format';
import { useLoad } from '../hooks';
import { href, navigate } from '../router';

/** A random key for one order attempt (getRandomValues also works outside secure contexts). */
function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A store's menu and the checkout: quantities, address and card, then PlaceOrder. */
export function StoreMenu({ storeId }: { storeId: string }) {
  const menu = useLoad((signal) => unwrap(api.GET('/v1/stores/{storeId}/menu', { params: { path: { storeId } }, signal })), [storeId]);
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [address, setAddress] = useState('');
  const [cardToken, setCardToken] = useState('tok_visa');
  const [error, setError] = useState<unknown>(undefined);
  const [placing, setPlacing] = useState(false);
  // The idempotency key of the order being placed: kept while the same order is retried after a
  // failure that may not have been final (busy payment, lost connection), so that it is charged
  // once; a new key once the server has answered for good or the order changed.
  const attempt = useRef<{ key: string; body: string } | undefined>(undefined);

  const store = menu.data?.store;
  const items = menu.data?.items ?? [];
  const lines = items
    .filter((item) => (quantities[item.menuItemId ?? ''] ?? 0) > 0)
    .map((item) => ({ menuItemId: item.menuItemId ?? '', quantity: quantities[item.menuItemId ?? ''] ?? 0 }));
  const total = items.reduce<Money | undefined>((sum, item) => {
    const line = moneyTimes(item.price, quantities[item.menuItemId ?? ''] ?? 0);
    return line && { currencyCode: line.currencyCode ?? '', amountMinor: String(Number(sum?.amountMinor ?? 0) + Number(line.amountMinor)) };
  }, undefined);

  async function placeOrder(event: Event) {
    event.preventDefault();
    const body = { storeId, lines, deliveryAddress: address.trim(), cardToken: cardToken.trim() };
    const bodyJson = JSON.stringify(body);
    if (attempt.current?.body !== bodyJson) attempt.current = { key: newKey(), body: bodyJson };
    setPlacing(true);
    setError(undefined);
    try {
      const { order } = await unwrap(api.POST('/v1/orders', { body, params: { header: { 'idempotency-key': attempt.current.key } } }));
      attempt.current = undefined;
      navigate('orders', order?.orderId ?? '');
    } catch (failure) {
      const mayRetry = !(failure instanceof ApiError) || failure.httpStatus >= 500;
      if (!mayRetry) attempt.current = undefined;
      setError(failure);
    } finally {
      setPlacing(false);
    }
  }

  return (
    <section aria-labelledby="menu-title">
      <p>
        <a href={href()}>← All stores</a>
      </p>
      <h1 id="menu-title" tabIndex={-1}>
        {store?.name ?? 'Menu'}
      </h1>
      {store && !store.open && <p class="closed">This store is closed right now.</p>}
      <ErrorMessage error={menu.error} />
      <form onSubmit={(event) => void placeOrder(event)} aria-label="Order">
        <table class="menu">
          <caption>Menu</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Price</th>
              <th scope="col">Quantity</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const id = item.menuItemId ?? '';
              return (
                <tr key={id}>
                  <th scope="row">
                    {item.name}
                    {!item.available && <span class="badge"> sold out</span>}
                  </th>
                  <td>{formatMoney(item.price)}</td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      max={99}
                      inputMode="numeric"
                      aria-label={`Quantity of ${item.name ?? id}`}
                      disabled={!item.available}
                      value={quantities[id] ?? 0}
                      onInput={(e) => setQuantities({ ...quantities, [id]: Math.max(0, Math.min(99, Number(e.currentTarget.value) || 0)) })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p class="total">
          Total: <strong>{formatMoney(total) || '—'}</strong>
        </p>
        <label>
          Delivery address
          <input name="address" required autoComplete="street-address" value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
        </label>
        <label>
          Card token
          <input
            name="card"
            required
            autoComplete="off"
            aria-describedby="card-hint"
            value={cardToken}
            onInput={(e) => setCardToken(e.currentTarget.value)}
          />
        </label>
        <p id="card-hint" class="hint">
          The simulated payment provider approves tok_visa; tokens starting with tok_decline are declined.
        </p>
        <button type="submit" disabled={placing || lines.length === 0 || !store?.open}>
          {placing ? 'Placing order…' : 'Place order'}
        </button>
        <ErrorMessage error={error} />
      </form>
    </section>
  );
}
