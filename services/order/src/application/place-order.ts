import { Order } from '../domain/order.js';
import {
  invalidField,
  orderNotStored,
  paymentDeclined,
  paymentUnavailable,
  PaymentUnavailableError,
  storeNotFound,
} from '../domain/order.errors.js';
import { priceOrder, type RequestedLine } from '../domain/pricing.js';
import { customerFor, type Actor } from './actor.js';
import type { Catalog, Clock, IdGenerator, OrderRepository, PaymentAttempts, PaymentGateway } from './ports.js';
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

/** Called when payment was taken but the order could not be stored, so the payment is returned. */
export interface CompensationLog {
  refundFailed(orderId: string, error: unknown): void;
}

export class PlaceOrder {
  constructor(
    private readonly orders: OrderRepository,
    private readonly catalog: Catalog,
    private readonly payments: PaymentGateway,
    private readonly attempts: PaymentAttempts,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly compensation: CompensationLog,
    /** Told to customers when payment is failing: about when the circuit tries again. */
    private readonly retryAfterSeconds = 5,
  ) {}

  async execute(actor: Actor, command: PlaceOrderCommand): Promise<Order> {
    const valid = validate({ ...command, customerId: customerFor(actor, command.customerId, 'placing an order') });
    const orderId = valid.idempotencyKey ? this.ids.idFor(valid.customerId, valid.idempotencyKey) : this.ids.newId();
    if (valid.idempotencyKey) {
      const earlier = await this.orders.findById(orderId);
      if (earlier) return earlier;
    }

    if (!this.payments.isAcceptingPayments()) throw paymentUnavailable('circuit open', this.retryAfterSeconds);
    const store = await this.catalog.findStore(valid.storeId);
    if (!store) throw storeNotFound(valid.storeId);
    const { items, total } = priceOrder(store, valid.lines);

    await this.attempts.begin(orderId, this.clock.now());
    const outcome = await this.payments
      .approve({
        orderId,
        customerId: valid.customerId,
        amount: total,
        cardToken: valid.cardToken,
        storeId: store.storeId,
        items,
        deliveryAddress: valid.deliveryAddress,
      })
      .catch(async (error: unknown) => {
        // A refusal that certainly charged nothing needs no settling; anything else stays open for it.
        if (error instanceof PaymentUnavailableError && !error.mayHaveCharged) await this.attempts.finish(orderId);
        throw error;
      });
    if (!outcome.approved) {
      await this.attempts.finish(orderId);
      throw paymentDeclined(outcome.reason);
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
      },
      this.clock.now(),
      this.ids.newId(),
    );
    let inserted: boolean;
    try {
      inserted = await this.orders.insert(order);
    } catch (error) {
      if (await this.refund(orderId, 'the order could not be stored')) await this.attempts.finish(orderId).catch(() => {});
      throw orderNotStored(error);
    }
    await this.attempts.finish(orderId);
    if (inserted) return order;
    // The same idempotency key raced us: the other call stored the order (payment is per order, so one charge).
    return (await this.orders.findById(orderId)) ?? order;
  }

  /** True when refunded; otherwise the attempt stays unsettled and is refunded later. */
  private async refund(orderId: string, reason: string): Promise<boolean> {
    try {
      await this.payments.refund(orderId, reason);
      return true;
    } catch (error) {
      this.compensation.refundFailed(orderId, error);
      return false;
    }
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
