import { requirePaymentCaller, type Actor } from './actor.js';
import type { LineItem } from '../domain/line-item.js';
import type { Money } from '../domain/money.js';
import { Payment, VOIDED_BEFORE_APPROVAL, type PaymentState } from '../domain/payment.js';
import { differentTermsForOrder, invalidField } from '../domain/payment.errors.js';
import type { Clock, IdGenerator, PaymentProvider, PaymentRepository } from './ports.js';
import { optionalText, requireId, requireText } from './validation.js';

export interface ApprovePaymentCommand {
  orderId: string;
  customerId: string;
  amount: Money;
  cardToken: string;
  storeId: string;
  items: LineItem[];
  deliveryAddress: string;
}

export const MAX_AMOUNT_MINOR = 100_000_000;
export const MAX_ITEMS = 50;
export const MAX_QUANTITY = 99;

const stillListening = new AbortController().signal;

/** Charges an order once: asking again for the same order returns the payment already stored. */
export class ApprovePayment {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly provider: PaymentProvider,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** `signal`: the caller stopped waiting; only the wait for the provider is given up. */
  async execute(actor: Actor, command: ApprovePaymentCommand, signal: AbortSignal = stillListening): Promise<Payment> {
    requirePaymentCaller(actor, 'approving a payment');
    const { cardToken, ...details } = validate(command);
    const earlier = await this.payments.findByOrderId(details.orderId);
    if (earlier) return sameTerms(earlier, details);

    const authorization = await this.provider.authorize(cardToken, details.amount, signal);
    const terms = { ...details, paymentId: this.ids.newId() };
    const payment = authorization.approved
      ? Payment.approve(terms, this.clock.now(), this.ids.newId())
      : Payment.decline(terms, authorization.reason, this.clock.now());
    if (await this.payments.insert(payment)) return payment;

    // Another call for the same order (or a void) was stored first; its answer stands and
    // this authorization is never captured.
    const stored = await this.payments.findByOrderId(details.orderId);
    if (!stored) throw new Error(`payment for order ${details.orderId} was refused as a duplicate but is not stored`);
    return sameTerms(stored, details);
  }
}

/**
 * Asking again for an order's payment returns it, if it is for the same thing: the same order id
 * with another amount, store or items is a client's mistake, never another payment's answer.
 * A void (refunded before any approval) has no terms to compare.
 */
function sameTerms(payment: Payment, asked: Omit<ApprovePaymentCommand, 'cardToken'>): Payment {
  const stored = payment.snapshot();
  if (stored.statusReason === VOIDED_BEFORE_APPROVAL) return payment;
  const key = (terms: Pick<PaymentState, 'customerId' | 'amount' | 'storeId' | 'items'>) =>
    JSON.stringify([
      terms.customerId,
      terms.amount.currencyCode,
      terms.amount.amountMinor,
      terms.storeId,
      terms.items.map((item) => [item.menuItemId, item.quantity]),
    ]);
  if (key(stored) !== key(asked)) throw differentTermsForOrder(stored.orderId);
  return payment;
}

function validate(command: ApprovePaymentCommand): ApprovePaymentCommand {
  const orderId = requireId('order_id', command.orderId);
  const customerId = requireId('customer_id', command.customerId);
  const amount = validAmount(command.amount);
  const cardToken = requireText('card_token', command.cardToken, 128);
  const storeId = requireId('store_id', command.storeId);
  if (command.items.length === 0) throw invalidField('items', 'a payment needs at least one item');
  if (command.items.length > MAX_ITEMS) throw invalidField('items', `at most ${MAX_ITEMS} items per payment`);
  command.items.forEach((item, index) => {
    requireId(`items[${index}].menu_item_id`, item.menuItemId);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      throw invalidField(`items[${index}].quantity`, `must be between 1 and ${MAX_QUANTITY}`);
    }
  });
  const deliveryAddress = optionalText('delivery_address', command.deliveryAddress, 500);
  return { orderId, customerId, amount, cardToken, storeId, items: command.items, deliveryAddress };
}

function validAmount(amount: Money): Money {
  if (!/^[A-Z]{3}$/.test(amount.currencyCode)) throw invalidField('amount.currency_code', 'must be 3 upper-case letters (ISO 4217)');
  if (!Number.isInteger(amount.amountMinor) || amount.amountMinor <= 0)
    throw invalidField('amount.amount_minor', 'must be a positive whole number');
  if (amount.amountMinor > MAX_AMOUNT_MINOR) throw invalidField('amount.amount_minor', `must be at most ${MAX_AMOUNT_MINOR}`);
  return amount;
}
