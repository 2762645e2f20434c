/** An amount in the smallest unit of its currency (won for KRW, cents for USD). */
export interface Money {
  currencyCode: string;
  amountMinor: number;
}
