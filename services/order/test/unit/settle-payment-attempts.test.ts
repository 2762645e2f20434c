import { expect } from 'chai';
import { settleAttempt } from '../../src/application/settle-attempt.js';
import { SettlePaymentAttempts } from '../../src/application/settle-payment-attempts.js';
import { AbandonedOrder } from '../../src/application/ports.js';
import { Order } from '../../src/domain/order.js';
import { FakePaymentGateway, InMemoryOrderLog, manualClock } from '../support/in-memory.js';
import { orderDetails } from '../support/mother.js';

describe('SettlePaymentAttempts', () => {
  const setup = () => {
    const log = new InMemoryOrderLog();
    const payments = new FakePaymentGateway();
    const clock = manualClock('2026-11-24T12:00:00Z');
    return { log, payments, clock, settle: new SettlePaymentAttempts(log, payments, clock, { graceMs: 60_000, concurrency: 4 }) };
  };

  it('claims old attempts without an order as abandoned, then refunds them; leaves stored and recent ones', async () => {
    const { log, payments, clock, settle } = setup();
    const orphan = await log.begin('orphan', clock.now());
    const stored = await log.begin('stored', clock.now());
    await log.append(Order.placePaid(orderDetails({ orderId: 'stored' }), clock.now(), 'e'), stored);
    clock.advance(50_000);
    await log.begin('recent', clock.now());
    clock.advance(20_000);

    const { refunded } = await settle.execute();

    expect(refunded).to.deep.equal(['orphan']);
    expect(payments.refunds.map((refund) => refund.orderId)).to.deep.equal(['orphan']);
    expect(await log.load('orphan')).to.be.instanceOf(AbandonedOrder);
    expect([...log.openAttempts.values()].map((attempt) => attempt.orderId)).to.deep.equal(['recent']);
    expect(orphan.orderId).to.equal('orphan');
  });

  it('never refunds an order stored after all: the claim loses to it', async () => {
    const { log, payments, clock } = setup();
    const attempt = await log.begin('late', clock.now());
    await log.append(Order.placePaid(orderDetails({ orderId: 'late' }), clock.now(), 'e'), { ...attempt, token: 'a retry' });
    expect(await settleAttempt({ attempts: log, payments, clock }, attempt)).to.equal('placed');
    expect(payments.refunds).to.have.lengthOf(0);
  });

  it('once claimed, the order can no longer be stored', async () => {
    const { log, clock } = setup();
    const attempt = await log.begin('claimed', clock.now());
    await settleAttempt({ attempts: log, payments: new FakePaymentGateway(), clock }, attempt);
    const error = await log.append(Order.placePaid(orderDetails({ orderId: 'claimed' }), clock.now(), 'e'), attempt).catch((e: Error) => e);
    expect(error).to.have.property('code', 'ORDER.CONCURRENT_UPDATE');
  });

  it('keeps an attempt whose refund failed, and refunds it on the next round', async () => {
    const { log, payments, clock, settle } = setup();
    await log.begin('o', clock.now());
    clock.advance(61_000);
    payments.refundFailsWith = new Error('payment down');
    expect((await settle.execute()).failed).to.have.length(1);
    payments.refundFailsWith = undefined;
    expect((await settle.execute()).refunded).to.deep.equal(['o']);
    expect(log.openAttempts.size).to.equal(0);
  });

  it('settles many attempts in one round, several at a time', async () => {
    const { log, payments, clock, settle } = setup();
    for (let i = 0; i < 300; i++) await log.begin(`o-${i}`, clock.now());
    clock.advance(61_000);
    expect((await settle.execute()).refunded).to.have.length(300);
    expect(payments.refunds).to.have.length(300);
  });
});
