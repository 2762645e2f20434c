import { create, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { PaymentServiceService } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { expect } from 'chai';
import { descriptorRegistry } from '../../src/http-routes.js';
import { guardedDeserializer, MalformedRequest, unsafeIntegerField } from '../../src/request-decoding.js';

describe('request decoding: malformed bytes and out-of-range integers are the caller’s fault, named', () => {
  const registry = descriptorRegistry(descriptorSet);
  const approve = PaymentServiceService.approvePayment;
  const input = registry.getMessage('fooddelivery.payment.v1.ApprovePaymentRequest') as DescMessage;
  const decode = guardedDeserializer(approve.requestDeserialize, registry, approve.path);
  const bytesOf = (init: Record<string, unknown>) => Buffer.from(toBinary(input, create(input, init)));
  const money = (amountMinor: bigint) => ({ currencyCode: 'KRW', amountMinor });

  it('decodes a well-formed request as before', () => {
    const decoded = decode(bytesOf({ orderId: 'o-1', amount: money(38_500n) }));
    expect(decoded).to.deep.include({ orderId: 'o-1', amount: { currencyCode: 'KRW', amountMinor: 38_500 } });
  });

  for (const [label, init, field] of [
    ['a total above 2^53', { amount: money(2n ** 53n + 1n) }, 'amount.amount_minor'],
    ['a total below -2^53', { amount: money(-(2n ** 53n) - 7n) }, 'amount.amount_minor'],
    [
      'a line item’s price above 2^53',
      { items: [{ menuItemId: 'm-1' }, { menuItemId: 'm-2', unitPrice: money(2n ** 60n) }] },
      'items[1].unit_price.amount_minor',
    ],
  ] as const) {
    it(`${label} → INVALID_ARGUMENT naming ${field}`, () => {
      const decoded = decode(bytesOf(init));
      expect(decoded).to.be.instanceOf(MalformedRequest);
      expect((decoded as MalformedRequest).error).to.deep.include({ field, kind: 'invalid_argument' });
    });
  }

  it('bytes that are not protobuf → INVALID_ARGUMENT naming the request', () => {
    const decoded = decode(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(decoded).to.be.instanceOf(MalformedRequest);
    expect((decoded as MalformedRequest).error.field).to.equal('request');
    expect((decoded as MalformedRequest).error.message).to.match(/not a valid fooddelivery\.payment\.v1\.ApprovePaymentRequest/);
  });

  it('2^53 - 1 is still accepted', () => {
    const message = create(input, { amount: money(BigInt(Number.MAX_SAFE_INTEGER)) });
    expect(unsafeIntegerField(input, message)).to.equal(undefined);
  });
});
