/**
 * The REST API, typed from the contracts: `paths` and `components` are generated from the protos
 * (gen/openapi/api.d.ts, by `npm run generate`); openapi-fetch makes the calls. The token goes in
 * the Authorization header, never in a URL.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import createClient from 'openapi-fetch';
import type { components, paths } from '../../gen/openapi/api';
import { currentToken } from './session';

export type Schemas = components['schemas'];
export type Money = Schemas['Money'];
export type Order = Schemas['Order'];
export type OrderTracking = Schemas['OrderTracking'];
export type TrackingStatus = Schemas['TrackingStatus'];
export type StoreOrder = Schemas['StoreOrder'];
export type StoreOrderStatus = Schemas['StoreOrderStatus'];
export type Status = Schemas['Status'];

/** Same origin by default (the edge serves app and API); VITE_API_BASE points elsewhere. */
const baseUrl = (import.meta.env.VITE_API_BASE as string | undefined) ?? '';

export const api = createClient<paths>({ baseUrl });

api.use({
  onRequest({ request }) {
    const token = currentToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
});

/** A failed call: the HTTP status, the google.rpc.Status the services (or Envoy) answered, and Retry-After. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: Status,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(status.message ?? `HTTP ${httpStatus}`);
    this.name = 'ApiError';
  }

  /** The stable error code (google.rpc.ErrorInfo reason), e.g. ORDER.PAYMENT_DECLINED. */
  get reason(): string {
    const info = (this.status.details ?? []).find((detail) => detail['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
    return typeof info?.['reason'] === 'string' ? info['reason'] : '';
  }
}

/** The data of a call that answered 2xx; otherwise throws an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  throw toApiError(response, error);
}

function toApiError(response: Response, body: unknown): ApiError {
  const status: Status =
    body && typeof body === 'object' && 'message' in body ? (body as Status) : { code: 2, message: `HTTP ${response.status}` };
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiError(response.status, status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

/**
 * What to tell a person about a failure, in plain words: a declined card, a payment that is busy,
 * a limit, a step that is too late, a session that has ended.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) {
    if (error instanceof TypeError) return 'The server cannot be reached. Check your connection and try again.';
    return error instanceof Error ? error.message : String(error);
  }
  const retry =
    error.retryAfterSeconds === undefined ? 'shortly' : `in ${error.retryAfterSeconds} second${error.retryAfterSeconds === 1 ? '' : 's'}`;
  switch (error.reason) {
    case 'ORDER.PAYMENT_DECLINED': {
      const why = error.message.replace(/^payment declined:\s*/, '');
      return `Your card was declined${/declin/i.test(why) || !why ? '' : ` (${why})`}. Nothing was charged: try another card.`;
    }
    case 'PAYMENT.UNAVAILABLE':
      return `Payment is busy right now, so the order was not placed. Please try again ${retry}.`;
    case 'ORDER.CANNOT_CANCEL':
      // "order … is delivering and can no longer be cancelled (…)"
      return `Too late to cancel: the ${error.message}.`;
    case 'ORDER.STORE_CLOSED':
      return 'This store is closed and takes no orders right now.';
    case 'ORDER.MENU_ITEM_UNAVAILABLE':
      return `Something in your order is sold out: ${error.message}.`;
  }
  switch (error.httpStatus) {
    case 401:
      return 'Your session has ended. Please sign in again.';
    case 403:
      return 'You are not allowed to do that.';
    case 429:
      return `Too many requests right now. Please try again ${retry}.`;
    case 503:
      return `The service is busy right now. Please try again ${retry}.`;
  }
  return error.message;
}

/** Tracking statuses after which WatchOrder ends: nothing more will happen to the order. */
export const finishedTracking: ReadonlySet<TrackingStatus> = new Set([
  'TRACKING_STATUS_DELIVERED',
  'TRACKING_STATUS_REJECTED',
  'TRACKING_STATUS_REFUNDED',
  'TRACKING_STATUS_CANCELLED',
]);

/**
 * WatchOrder: the order's tracking now and after every change, over one streaming fetch of the
 * server-sent events (a fetch, not EventSource, so the token travels in a header). Yields until the
 * server ends the stream or `signal` aborts.
 */
export async function* watchOrder(orderId: string, signal: AbortSignal): AsyncGenerator<OrderTracking> {
  const { data, error, response } = await api.GET('/v1/orders/{orderId}/tracking:watch', {
    params: { path: { orderId } },
    parseAs: 'stream',
    signal,
    headers: { accept: 'text/event-stream' },
  });
  if (!response.ok || !data) {
    // parseAs 'stream' leaves the body unread: read the error here.
    throw toApiError(response, error ?? (await response.json().catch(() => undefined)));
  }
  const events = data.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const body = JSON.parse(value.data) as unknown;
      if (value.event === 'error') throw toApiError(new Response(null, { status: 500 }), body);
      const tracking = (body as Schemas['WatchOrderResponse']).tracking;
      if (tracking) yield tracking;
    }
  } finally {
    reader.releaseLock();
  }
}
