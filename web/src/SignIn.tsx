import { useState } from 'preact/hooks';
import { api, unwrap } from './api';
import { ErrorMessage } from './components';
import { useLoad } from './hooks';
import { developmentSignIn, type Role, type Session } from './session';

/**
 * Development sign-in: pick a role and who you are, and the edge of `npm start` signs a token
 * for it. Customers name themselves; store owners pick their store.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [role, setRole] = useState<Role>('customer');
  const [customerId, setCustomerId] = useState('customer-1');
  const [storeId, setStoreId] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const stores = useLoad((signal) => unwrap(api.GET('/v1/stores', { signal })), []);
  const storeList = stores.data?.stores ?? [];
  const chosenStore = storeId || storeList[0]?.storeId || '';

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await developmentSignIn(role, role === 'customer' ? customerId.trim() : chosenStore));
    } catch (failure) {
      setError(failure instanceof Error ? new Error(failure.message) : failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="sign-in-title" class="panel narrow">
      <h1 id="sign-in-title" tabIndex={-1}>
        Sign in
      </h1>
      <p class="hint">Development sign-in: the local edge signs a token for the role you pick. No password is asked.</p>
      <form onSubmit={(event) => void submit(event)}>
        <fieldset>
          <legend>I am</legend>
          <label class="choice">
            <input type="radio" name="role" value="customer" checked={role === 'customer'} onChange={() => setRole('customer')} />a customer
          </label>
          <label class="choice">
            <input type="radio" name="role" value="store_owner" checked={role === 'store_owner'} onChange={() => setRole('store_owner')} />a
            store owner
          </label>
        </fieldset>
        {role === 'customer' ? (
          <label>
            Customer id
            <input
              name="customer-id"
              required
              pattern="[A-Za-z0-9._\-]{1,64}"
              value={customerId}
              onInput={(e) => setCustomerId(e.currentTarget.value)}
            />
          </label>
        ) : (
          <div class="field">
            <label for="sign-in-store">Store</label>
            <select id="sign-in-store" name="store" value={chosenStore} onChange={(e) => setStoreId(e.currentTarget.value)}>
              {storeList.map((store) => (
                <option key={store.storeId} value={store.storeId}>
                  {store.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="submit" disabled={busy || (role === 'store_owner' && !chosenStore)}>
          Sign in
        </button>
      </form>
      <ErrorMessage error={error ?? stores.error} />
    </section>
  );
}
