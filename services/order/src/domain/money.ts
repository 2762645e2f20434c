export interface Money {
  currencyCode: string;
  amountMinor: number;
}

export function multiply(money: Money, factor: number): Money {
  return { currencyCode: money.currencyCode, amountMinor: money.amountMinor * factor };
}

export function sum(currencyCode: string, amounts: Money[]): Money {
  return { currencyCode, amountMinor: amounts.reduce((total, money) => total + money.amountMinor, 0) };
}
