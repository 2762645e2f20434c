import { Order } from '../domain/order.js';
import {
  idempotencyKeyReused,
  invalidField,
  orderAbandoned,
  orderNotStored,
  paymentDeclined,
  paymentTermsConflict,
  paymentUnavailable,
  PaymentUnavailableError,
  storeNotFound,
} from '../domain/order.errors.js';
import { priceOrder, type RequestedLine } from '../domain/pricing.js';
import { customerFor, type Actor } from './actor.js';
import {
  AbandonedOrder,
  type Catalog,
  type Clock,
  type IdGenerator,
  type OrderRepository,
  type PaymentAttempt,
  type PaymentAttempts,
  type PaymentGateway,
  type PaymentOutcome,
} from './ports.js';
import { settleAttempt } from './settle-attempt.js';
import { optionalText, requireId, requireText } from './validation.js';

export interface PlaceOrderCommand {
  customerId: string;
  storeId: string;
  lines: RequestedLine[];
  deliveryAddress: string;
  cardToken: string;
  idempotencyKey: string;
}

export const MAX_LINES = 50;
export const MAX_QUANTITY = 99;

export interface PlaceOrderOptions {
  /** How long a retry under the same idempotency key may still complete an order whose write failed. */
  retryWindowSeconds: number;
}

/**
 * Prices the order, takes payment, stores the paid order. Payment is asked for under a recorded
 * attempt, so a payment whose order is never stored is refunded (SettlePaymentAttempts).
 */
export class PlaceOrder {
  constructor(
    private readonly orders: OrderRepository,
    private readonly catalog: Catalog,
    private readonly payments: PaymentGateway,
    private readonly attempts: PaymentAttempts,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly options: PlaceOrderOptions,
  ) {}

  async execute(actor: Actor, command: PlaceOrderCommand): Promise<Order> {
    const valid = validate({ ...command, customerId: customerFor(actor, command.customerId, 'placing an order') });
    // Refused before any I/O while payment is known to be failing or full.
    const refusal = this.payments.refusesNow();
    if (refusal) throw paymentUnavailable(refusal.reason, refusal.retryAfterSeconds);
    const key = valid.idempotencyKey;
    const orderId = key ? this.ids.idFor(valid.customerId, key) : this.ids.newId();
    const fingerprint = this.ids.idFor(
      'place-order',
      valid.storeId,
      ...valid.lines.map((line) => `${line.menuItemId}*${line.quantity}`),
      valid.deliveryAddress,
      valid.cardToken,
    );

    // No lookup first: payment answers a repeated order id with the payment it has, and the first
    // log entry's insert refuses a second order. A retry is recognised where it fails.
    const store = await this.catalog.findStore(valid.storeId);
    if (!store) return this.answerIfStored(orderId, key, fingerprint, storeNotFound(valid.storeId));
    let priced: ReturnType<typeof priceOrder>;
    try {
      priced = priceOrder(store, valid.lines);
    } catch (error) {
      // Closed since, or an item no longer on the menu: a stored order under the key still stands.
      return this.answerIfStored(orderId, key, fingerprint, error);
    }
    const { items, total } = priced;

    const attempt = await this.attempts.begin(orderId, this.clock.now());
    let outcome: PaymentOutcome;
    try {
      outcome = await this.payments.approve({
        orderId,
        customerId: valid.customerId,
        amount: total,
        cardToken: valid.cardToken,
        storeId: store.storeId,
        items,
        deliveryAddress: valid.deliveryAddress,
      });
    } catch (error) {
      // A refusal that certainly charged nothing needs no settling; anything else stays open for it.
      const conflict = (error as { code?: unknown }).code === paymentTermsConflict().code;
      if (conflict || (error instanceof PaymentUnavailableError && !error.mayHaveCharged))
        await this.attempts.close(attempt).catch(() => {});
      return this.answerIfStored(orderId, key, fingerprint, conflict ? idempotencyKeyReused(key) : error);
    }
    if (!outcome.approved) {
      await this.attempts.close(attempt);
      return this.answerIfStored(orderId, key, fingerprint, paymentDeclined(outcome.reason));
    }

    const order = Order.placePaid(
      {
        orderId,
        customerId: valid.customerId,
        storeId: store.storeId,
        items,
        total,
        deliveryAddress: valid.deliveryAddress,
        paymentId: outcome.paymentId,
        requestFingerprint: fingerprint,
      },
      this.clock.now(),
      this.ids.newId(),
    );
    try {
      await this.orders.append(order, attempt);
      return order;
    } catch (error) {
      // Taken: stored before (this is a retry) or meanwhile by a concurrent call under the same key.
      const stored = await this.orders.load(orderId).catch(() => undefined);
      if (stored) return this.answerRetry(stored, fingerprint, key);
      return this.notStored(attempt, key, fingerprint, error);
    }
  }

  /**
   * A request under an idempotency key that failed may repeat an order stored before (payment
   * answers a refunded or cancelled order's payment as not approved): that order is the answer.
   */
  private async answerIfStored(orderId: string, key: string, fingerprint: string, failure: unknown): Promise<Order> {
    const earlier = key ? await this.orders.load(orderId, true).catch(() => undefined) : undefined;
    if (earlier) return this.answerRetry(earlier, fingerprint, key);
    throw failure;
  }

  /** The same key again: the same order, or why not. */
  private answerRetry(earlier: Order | AbandonedOrder, fingerprint: string, key: string): Order {
    if (earlier instanceof AbandonedOrder) throw orderAbandoned(key);
    if (earlier.snapshot().requestFingerprint !== fingerprint) throw idempotencyKeyReused(key);
    return earlier;
  }

  /**
   * The order was not stored (or it is not known whether it was). With a key the customer can
   * complete it by retrying; the attempt stays open for that. Without one nobody can, so the
   * payment is given back now if the order id can be claimed; otherwise the settlement does it.
   */
  private async notStored(attempt: PaymentAttempt, key: string, fingerprint: string, cause: unknown): Promise<Order> {
    if (key) throw orderNotStored(cause, { retryWithinSeconds: this.options.retryWindowSeconds });
    const settled = await settleAttempt({ attempts: this.attempts, payments: this.payments, clock: this.clock }, attempt).catch(
      () => 'unknown' as const,
    );
    if (settled === 'placed') {
      // The write had gone through after all.
      const stored = await this.orders.load(attempt.orderId).catch(() => undefined);
      if (stored) return this.answerRetry(stored, fingerprint, key);
    }
    throw orderNotStored(cause, settled === 'refunded' ? { refunded: true } : { settledWithinSeconds: this.options.retryWindowSeconds });
  }
}

function validate(command: PlaceOrderCommand): PlaceOrderCommand {
  if (command.lines.length === 0) throw invalidField('lines', 'an order needs at least one line');
  if (command.lines.length > MAX_LINES) throw invalidField('lines', `at most ${MAX_LINES} lines per order`);
  const lines = command.lines.map((line, index) => {
    const menuItemId = requireId(`lines[${index}].menu_item_id`, line.menuItemId);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      throw invalidField(`lines[${index}].quantity`, `must be between 1 and ${MAX_QUANTITY}`);
    }
    return { menuItemId, quantity: line.quantity };
  });
  return {
    customerId: requireId('customer_id', command.customerId),
    storeId: requireId('store_id', command.storeId),
    lines,
    deliveryAddress: requireText('delivery_address', command.deliveryAddress, 500),
    cardToken: requireText('card_token', command.cardToken, 128),
    idempotencyKey: optionalText('idempotency_key', command.idempotencyKey, 128),
  };
}
