import type { OutboxStore } from '@fooddelivery/adapters/outbox';
import { PaymentApproved, PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Payment } from '../../src/domain/payment.js';
import type { PaymentRepository } from '../../src/application/ports.js';
import { approvedPayment, paymentTerms } from './payment-mother.js';
import { rejection } from './rejection.js';

const at = new Date('2026-11-24T12:00:00.123Z');
const later = new Date('2026-11-24T12:05:00.456Z');

export interface OpenRepository {
  store: PaymentRepository;
  /** Where the repository's events wait for the relay. */
  outbox: OutboxStore;
  close: () => Promise<void>;
}

/** What every PaymentRepository (and the outbox it writes to) must do; run against each implementation. */
export function paymentRepositoryContract(open: () => Promise<OpenRepository>): void {
  let store: PaymentRepository;
  let outbox: OutboxStore;
  let close: () => Promise<void>;
  // Fresh ids per test, so the suite can share one database.
  const orderId = () => `order-${randomUUID()}`;
  const approved = (id = orderId()) => approvedPayment({ orderId: id, paymentId: randomUUID() }, at, randomUUID());
  const pendingFor = async (id: string) =>
    (await outbox.pending(1_000, new Date(Date.now() + 60_000))).flatMap((item) => item.events).filter((event) => event.orderId === id);
  const handledEvent = () => ({ consumer: 'payment-contract', eventId: randomUUID() });

  before(async () => {
    ({ store, outbox, close } = await open());
  });
  after(async () => {
    await close();
  });

  it('finds nothing for an order without a payment', async () => {
    expect(await store.findByOrderId(orderId())).to.equal(undefined);
  });

  it('gives back a stored payment exactly as it was', async () => {
    const payment = approved();
    expect(await store.insert(payment)).to.equal(true);
    const found = await store.findByOrderId(payment.orderId);
    expect(found?.snapshot()).to.deep.equal(payment.snapshot());
    expect(found?.newEvents()).to.have.lengthOf(0);
  });

  it('keeps one payment per order: a second insert is refused and changes nothing', async () => {
    const first = approved();
    await store.insert(first);
    const second = Payment.decline(paymentTerms({ orderId: first.orderId, paymentId: randomUUID() }), 'card declined', later);
    expect(await store.insert(second)).to.equal(false);
    expect((await store.findByOrderId(first.orderId))?.snapshot().paymentId).to.equal(first.snapshot().paymentId);
  });

  it('lets exactly one of two concurrent inserts for the same order win', async () => {
    const id = orderId();
    const results = await Promise.all([store.insert(approved(id)), store.insert(approved(id))]);
    expect(results.filter(Boolean)).to.have.length(1);
    expect(await pendingFor(id)).to.have.length(1);
  });

  it('stores many payments asked for at once each on its own: one per order, its event once, repeats refused', async () => {
    // More at once than the benches ask of a payment replica (32); on PostgreSQL each waits for one of 10 connections.
    const orders = Array.from({ length: 40 }, () => orderId());
    const asked = [...orders, ...orders.slice(0, 20)].map((id) => approved(id));
    const results = await Promise.all(asked.map((payment) => store.insert(payment)));
    expect(results.slice(0, 40).every(Boolean), 'each first insert stored').to.equal(true);
    expect(results.slice(40).some(Boolean), 'no repeat stored').to.equal(false);
    const events = (await outbox.pending(1_000, new Date(Date.now() + 60_000))).flatMap((item) => item.events);
    for (const [index, id] of orders.entries()) {
      expect((await store.findByOrderId(id))?.snapshot().paymentId).to.equal(asked[index]!.snapshot().paymentId);
      expect(events.filter((event) => event.orderId === id)).to.have.length(1);
    }
  });

  it('stores a change with its event, and refuses a change made from a stale copy', async () => {
    const payment = approved();
    await store.insert(payment);
    const copy = (await store.findByOrderId(payment.orderId))!;
    const stale = (await store.findByOrderId(payment.orderId))!;
    copy.refund('customer cancelled', later, randomUUID());
    expect(await store.update(copy)).to.equal(true);
    stale.refund('again', later, randomUUID());
    expect(await store.update(stale)).to.equal(false);
    const found = (await store.findByOrderId(payment.orderId))!.snapshot();
    expect(found).to.include({ status: 'refunded', statusReason: 'customer cancelled', version: 2 });
    expect(found.updatedAt.getTime()).to.equal(later.getTime());
    expect((await pendingFor(payment.orderId)).map((event) => event.eventType)).to.deep.equal([
      'fooddelivery.payment.v1.PaymentApproved',
      'fooddelivery.payment.v1.PaymentRefunded',
    ]);
  });

  it('lets exactly one of two concurrent updates from the same version win', async () => {
    const payment = approved();
    await store.insert(payment);
    const copies = await Promise.all([store.findByOrderId(payment.orderId), store.findByOrderId(payment.orderId)]);
    copies.forEach((copy, index) => copy!.refund(`reason ${index}`, later, randomUUID()));
    const results = await Promise.all(copies.map((copy) => store.update(copy!)));
    expect(results.filter(Boolean)).to.have.length(1);
    expect(await pendingFor(payment.orderId)).to.have.length(2);
  });

  it('keeps the events pending, with their protobuf payload, until marked published', async () => {
    const payment = approved();
    await store.insert(payment);
    const [event] = await pendingFor(payment.orderId);
    expect(event).to.include({
      eventId: payment.newEvents()[0]!.eventId,
      subject: 'fooddelivery.payment.approved',
      eventType: 'fooddelivery.payment.v1.PaymentApproved',
    });
    const decoded = PaymentApproved.decode(event!.payload);
    expect(decoded).to.include({ orderId: payment.orderId, storeId: 'store-seoul-chicken', customerId: 'customer-1' });
    expect(decoded.items).to.have.length(2);
    await outbox.markPublished([event!.eventId]);
    expect(await pendingFor(payment.orderId)).to.have.lengthOf(0);
  });

  it('carries the refund reason in PaymentRefunded', async () => {
    const payment = approved();
    await store.insert(payment);
    const loaded = (await store.findByOrderId(payment.orderId))!;
    loaded.refund('store closed early', later, randomUUID());
    await store.update(loaded);
    const refunded = (await pendingFor(payment.orderId)).find((event) => event.subject === 'fooddelivery.payment.refunded');
    expect(PaymentRefunded.decode(refunded!.payload)).to.include({ reason: 'store closed early', orderId: payment.orderId });
  });

  it('stores a declined payment without events', async () => {
    const declined = Payment.decline(paymentTerms({ orderId: orderId(), paymentId: randomUUID() }), 'card declined', at);
    expect(await store.insert(declined)).to.equal(true);
    expect((await store.findByOrderId(declined.orderId))?.snapshot()).to.include({ status: 'declined', statusReason: 'card declined' });
    expect(await pendingFor(declined.orderId)).to.have.lengthOf(0);
  });

  it('stores a payment and its events together or not at all', async () => {
    const first = approved();
    await store.insert(first);
    const clashing = approvedPayment({ orderId: orderId(), paymentId: randomUUID() }, at, first.newEvents()[0]!.eventId);
    await rejection(store.insert(clashing));
    expect(await store.findByOrderId(clashing.orderId)).to.equal(undefined);
  });

  it('keeps the event that caused a refund with PaymentRefunded', async () => {
    const payment = approved();
    await store.insert(payment);
    const loaded = (await store.findByOrderId(payment.orderId))!;
    const cause = randomUUID();
    loaded.refund('order cancelled', later, randomUUID(), cause);
    await store.update(loaded, { consumer: 'payment-contract', eventId: cause });
    const events = await pendingFor(payment.orderId);
    expect(events.find((event) => event.subject === 'fooddelivery.payment.refunded')).to.include({ causationId: cause });
    expect(events.find((event) => event.subject === 'fooddelivery.payment.approved')).to.not.have.property('causationId');
  });

  it('records a handled event with its change, so the same event changes nothing a second time', async () => {
    const [first, second] = [approved(), approved()];
    await store.insert(first);
    await store.insert(second);
    const handled = handledEvent();
    const refunding = (await store.findByOrderId(first.orderId))!;
    refunding.refund('order cancelled', later, randomUUID(), handled.eventId);
    expect(await store.update(refunding, handled)).to.equal(true);

    const again = (await store.findByOrderId(second.orderId))!;
    again.refund('order cancelled', later, randomUUID(), handled.eventId);
    expect(await store.update(again, handled)).to.equal(false);
    expect((await store.findByOrderId(second.orderId))?.status).to.equal('approved');
    expect(await pendingFor(second.orderId)).to.have.length(1);

    const voided = Payment.voidBeforeApproval(orderId(), randomUUID(), later);
    expect(await store.insert(voided, handled)).to.equal(false);
    expect(await store.findByOrderId(voided.orderId)).to.equal(undefined);
  });

  it('lets one of two replicas handling the same event at once change the payment, and tells the other it changed nothing', async () => {
    const payments = [approved(), approved()];
    for (const payment of payments) await store.insert(payment);
    const handled = handledEvent();
    const refunds = await Promise.all(payments.map((payment) => store.findByOrderId(payment.orderId)));
    refunds.forEach((refund) => refund!.refund('order cancelled', later, randomUUID(), handled.eventId));
    const results = await Promise.all(refunds.map((refund) => store.update(refund!, handled)));
    expect(results.filter(Boolean)).to.have.length(1);
    const statuses = await Promise.all(payments.map(async (payment) => (await store.findByOrderId(payment.orderId))?.status));
    expect(statuses.sort()).to.deep.equal(['approved', 'refunded']);
  });

  it('records a handled event with a void', async () => {
    const handled = handledEvent();
    const voided = Payment.voidBeforeApproval(orderId(), randomUUID(), later);
    expect(await store.insert(voided, handled)).to.equal(true);
    expect(await store.insert(Payment.voidBeforeApproval(orderId(), randomUUID(), later), handled)).to.equal(false);
  });

  it('leaves an event unhandled when its change loses, so it can be handled again', async () => {
    const payment = approved();
    await store.insert(payment);
    const stale = (await store.findByOrderId(payment.orderId))!;
    const winner = (await store.findByOrderId(payment.orderId))!;
    winner.refund('refunded on request', later, randomUUID());
    await store.update(winner);
    const handled = handledEvent();
    stale.refund('order cancelled', later, randomUUID(), handled.eventId);
    expect(await store.update(stale, handled)).to.equal(false);
    expect(await store.insert(Payment.voidBeforeApproval(orderId(), randomUUID(), later), handled)).to.equal(true);
  });
}
