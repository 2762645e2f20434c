export interface Money {
  currencyCode: string;
  amountMinor: number;
}
