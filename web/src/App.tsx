import { useEffect, useRef, useState } from 'preact/hooks';
import { Notifications } from './customer/Notifications';
import { OrderList } from './customer/OrderList';
import { OrderPage } from './customer/OrderPage';
import { StoreList } from './customer/StoreList';
import { StoreMenu } from './customer/StoreMenu';
import { StoreOrders } from './owner/StoreOrders';
import { href, useRoute } from './router';
import { loadSession, saveSession, type Session } from './session';
import { SignIn } from './SignIn';

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);

  // A new screen: move focus to its heading, so that screen readers announce it.
  useEffect(() => {
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route.join('/'), session?.role]);

  function signIn(next: Session) {
    saveSession(next);
    setSession(next);
    location.hash = next.role === 'customer' ? href() : href('store');
  }

  function signOut() {
    saveSession(undefined);
    setSession(undefined);
    location.hash = '';
  }

  return (
    <>
      <header class="top">
        <a class="brand" href={href()}>
          Food delivery
        </a>
        {session && (
          <nav aria-label="Main">
            {session.role === 'customer' ? (
              <>
                <a href={href()} aria-current={route.length === 0 || route[0] === 'stores' ? 'page' : undefined}>
                  Stores
                </a>
                <a href={href('orders')} aria-current={route[0] === 'orders' ? 'page' : undefined}>
                  My orders
                </a>
                <a href={href('notifications')} aria-current={route[0] === 'notifications' ? 'page' : undefined}>
                  Notifications
                </a>
              </>
            ) : (
              <a href={href('store')} aria-current="page">
                Incoming orders
              </a>
            )}
          </nav>
        )}
        {session && (
          <div class="who">
            <span>
              {session.role === 'customer' ? 'Customer' : 'Store owner'} <strong>{session.subject}</strong>
            </span>
            <button type="button" class="secondary" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main ref={main}>{session ? <Screen session={session} route={route} /> : <SignIn onSignedIn={signIn} />}</main>
    </>
  );
}

function Screen({ session, route }: { session: Session; route: string[] }) {
  const [first, second] = route;
  if (session.role === 'store_owner') return <StoreOrders storeId={session.subject} />;
  if (first === 'stores' && second) return <StoreMenu key={second} storeId={second} />;
  if (first === 'orders' && second) return <OrderPage key={second} orderId={second} />;
  if (first === 'orders') return <OrderList />;
  if (first === 'notifications') return <Notifications customerId={session.subject} />;
  return <StoreList />;
}
