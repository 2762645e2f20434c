import { api, unwrap } from '../api';
import { ErrorMessage } from '../components';
import { useLoad } from '../hooks';
import { href } from '../router';

export function StoreList() {
  const stores = useLoad((signal) => unwrap(api.GET('/v1/stores', { signal })), []);
  return (
    <section aria-labelledby="stores-title">
      <h1 id="stores-title" tabIndex={-1}>
        Stores
      </h1>
      <ErrorMessage error={stores.error} />
      {stores.loading && !stores.data && <p>Loading stores…</p>}
      <ul class="cards">
        {(stores.data?.stores ?? []).map((store) => (
          <li key={store.storeId} class="card">
            <h2>
              <a href={href('stores', store.storeId ?? '')}>{store.name}</a>
            </h2>
            <p>{store.cuisine}</p>
            <p class={store.open ? 'open' : 'closed'}>{store.open ? 'Open' : 'Closed'}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
