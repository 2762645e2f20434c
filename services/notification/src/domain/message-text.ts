import type { Money, TrackingStatus } from './tracking.js';

export type Language = 'ko' | 'en';

export interface MessageDetails {
  orderId: string;
  total?: Money;
  reason: string;
}

type Texts = Record<TrackingStatus, (details: MessageDetails, amount: string, order: string) => string>;

const texts: Record<Language, Texts> = {
  ko: {
    paid: (_, amount, order) => `[주문 ${order}] 결제가 완료되어 주문이 접수되었습니다.${amount ? ` 결제 금액: ${amount}` : ''}`,
    accepted: (_, __, order) => `[주문 ${order}] 가게에서 주문을 수락했습니다.`,
    cooking: (_, __, order) => `[주문 ${order}] 음식 조리를 시작했습니다.`,
    delivering: (_, __, order) => `[주문 ${order}] 배달이 시작되었습니다. 곧 도착합니다!`,
    delivered: (_, __, order) => `[주문 ${order}] 배달이 완료되었습니다. 맛있게 드세요!`,
    cancelled: (details, _, order) => `[주문 ${order}] 주문이 취소되었습니다.${details.reason ? ` (사유: ${details.reason})` : ''}`,
    rejected: (details, _, order) =>
      `[주문 ${order}] 가게에서 주문을 받을 수 없습니다.${details.reason ? ` (사유: ${details.reason})` : ''}`,
    refunded: (_, amount, order) => `[주문 ${order}] ${amount ? `${amount}이 ` : ''}환불되었습니다.`,
  },
  en: {
    paid: (_, amount, order) => `[Order ${order}] Payment complete; your order has been placed.${amount ? ` Amount: ${amount}` : ''}`,
    accepted: (_, __, order) => `[Order ${order}] The store accepted your order.`,
    cooking: (_, __, order) => `[Order ${order}] Your food is being cooked.`,
    delivering: (_, __, order) => `[Order ${order}] Your order is on its way!`,
    delivered: (_, __, order) => `[Order ${order}] Your order has been delivered. Enjoy your meal!`,
    cancelled: (details, _, order) => `[Order ${order}] Your order was cancelled.${details.reason ? ` (Reason: ${details.reason})` : ''}`,
    rejected: (details, _, order) =>
      `[Order ${order}] The store could not take your order.${details.reason ? ` (Reason: ${details.reason})` : ''}`,
    refunded: (_, amount, order) => `[Order ${order}] ${amount ? `${amount} has been refunded.` : 'Your payment has been refunded.'}`,
  },
};

/** The message the customer receives for a status change, in their language. */
export function messageText(status: TrackingStatus, language: Language, details: MessageDetails): string {
  return texts[language][status](details, formatMoney(details.total, language), shortOrderId(details.orderId));
}

/** Enough of the order id to tell orders apart in a chat window. */
function shortOrderId(orderId: string): string {
  return orderId.length > 8 ? orderId.slice(0, 8) : orderId;
}

const minorDigits: Record<string, number> = { KRW: 0, JPY: 0 };

/** Number formats by count of fraction digits, made once: making one per message is slow. */
const amountFormats = new Map<number, Intl.NumberFormat>();

function formatMoney(money: Money | undefined, language: Language): string {
  if (!money || !money.currencyCode) return '';
  const digits = minorDigits[money.currencyCode] ?? 2;
  let format = amountFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    amountFormats.set(digits, format);
  }
  const amount = format.format(money.amountMinor / 10 ** digits);
  if (money.currencyCode === 'KRW') return language === 'ko' ? `${amount}원` : `₩${amount}`;
  return `${amount} ${money.currencyCode}`;
}
