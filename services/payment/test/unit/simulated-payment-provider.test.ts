import { expect } from 'chai';
import {
  SimulatedPaymentProvider,
  type SimulatedProviderSettings,
  type Sleep,
} from '../../src/adapters/provider/simulated-payment-provider.js';
import { rejection } from '../support/rejection.js';

const krw = { currencyCode: 'KRW', amountMinor: 10_000 };
const settings = (overrides: Partial<SimulatedProviderSettings> = {}): SimulatedProviderSettings => ({
  latencyMinMs: 0,
  latencyMaxMs: 0,
  capacity: 0,
  queueLimit: 0,
  declineCardPrefix: 'tok_decline',
  ...overrides,
});

/** A sleep that ends only when the test says so, recording how long it was asked to last. */
function controlledSleep() {
  const pending: Array<{ ms: number; wake(): void }> = [];
  const sleep: Sleep = (ms) => new Promise((resolve) => pending.push({ ms, wake: () => resolve() }));
  return { sleep, pending, wakeNext: () => pending.shift()?.wake() };
}

const listening = () => new AbortController().signal;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SimulatedPaymentProvider', () => {
  it('approves a card and declines tokens with the decline prefix', async () => {
    const provider = new SimulatedPaymentProvider(settings());
    expect(await provider.authorize('tok_visa', krw, listening())).to.deep.equal({ approved: true });
    expect(await provider.authorize('tok_decline_stolen', krw, listening())).to.deep.equal({ approved: false, reason: 'card declined' });
  });

  it('uses the configured decline prefix', async () => {
    const provider = new SimulatedPaymentProvider(settings({ declineCardPrefix: 'tok_no' }));
    expect(await provider.authorize('tok_decline', krw, listening())).to.deep.equal({ approved: true });
    expect((await provider.authorize('tok_nope', krw, listening())).approved).to.equal(false);
  });

  it('waits a latency drawn uniformly between the configured bounds', async () => {
    const asked: number[] = [];
    const sleep: Sleep = async (ms) => {
      asked.push(ms);
    };
    for (const random of [0, 0.5, 0.999999]) {
      const provider = new SimulatedPaymentProvider(settings({ latencyMinMs: 100, latencyMaxMs: 200 }), sleep, () => random);
      await provider.authorize('tok_visa', krw, listening());
    }
    expect(asked).to.deep.equal([100, 150, 200]);
  });

  it('answers at once, without waiting for a timer, when the latency is 0', async () => {
    const asked: number[] = [];
    const provider = new SimulatedPaymentProvider(settings(), async (ms) => void asked.push(ms));
    expect(await provider.authorize('tok_visa', krw, listening())).to.deep.equal({ approved: true });
    expect(asked).to.deep.equal([]);
  });

  it('really takes that long with the real clock', async () => {
    const provider = new SimulatedPaymentProvider(settings({ latencyMinMs: 30, latencyMaxMs: 40 }));
    const started = performance.now();
    await provider.authorize('tok_visa', krw, listening());
    expect(performance.now() - started).to.be.within(28, 400);
  });

  it('queues beyond its capacity and refuses at once beyond the queue limit', async () => {
    const { sleep, pending, wakeNext } = controlledSleep();
    const provider = new SimulatedPaymentProvider(settings({ capacity: 2, queueLimit: 1, latencyMinMs: 1, latencyMaxMs: 1 }), sleep);
    const answers = [1, 2, 3].map(() => provider.authorize('tok_visa', krw, listening()));
    await settle();
    expect(provider.load).to.deep.equal({ busy: 2, queued: 1 });
    expect(pending).to.have.length(2);

    const refused = await rejection(provider.authorize('tok_visa', krw, listening()));
    expect(refused).to.include({ code: 'PAYMENT.PROVIDER_BUSY', kind: 'resource_exhausted', retryAfterSeconds: 1 });

    wakeNext();
    await settle();
    expect(provider.load).to.deep.equal({ busy: 2, queued: 0 });
    wakeNext();
    wakeNext();
    expect(await Promise.all(answers)).to.deep.equal([{ approved: true }, { approved: true }, { approved: true }]);
    expect(provider.load).to.deep.equal({ busy: 0, queued: 0 });
  });

  it('takes any number at once when the capacity is 0', async () => {
    const { sleep, pending } = controlledSleep();
    const provider = new SimulatedPaymentProvider(settings({ capacity: 0, latencyMinMs: 1, latencyMaxMs: 1 }), sleep);
    const answers = Array.from({ length: 100 }, () => provider.authorize('tok_visa', krw, listening()));
    await settle();
    expect(pending).to.have.length(100);
    pending.forEach((sleeper) => sleeper.wake());
    expect(await Promise.all(answers)).to.have.length(100);
  });

  it('gives no answer once the caller stops waiting, and frees its slot', async () => {
    const provider = new SimulatedPaymentProvider(settings({ capacity: 1, latencyMinMs: 10_000, latencyMaxMs: 10_000 }));
    const caller = new AbortController();
    const answer = provider.authorize('tok_visa', krw, caller.signal);
    await settle();
    const started = performance.now();
    caller.abort();
    expect(await rejection(answer)).to.include({ code: 'PAYMENT.ABANDONED' });
    expect(performance.now() - started).to.be.below(1_000);
    expect(provider.load).to.deep.equal({ busy: 0, queued: 0 });
  });

  it('drops a queued authorization whose caller stops waiting', async () => {
    const { sleep, wakeNext } = controlledSleep();
    const provider = new SimulatedPaymentProvider(settings({ capacity: 1, queueLimit: 5, latencyMinMs: 1, latencyMaxMs: 1 }), sleep);
    const first = provider.authorize('tok_visa', krw, listening());
    const caller = new AbortController();
    const queued = provider.authorize('tok_visa', krw, caller.signal);
    await settle();
    expect(provider.load.queued).to.equal(1);
    caller.abort();
    expect(await rejection(queued)).to.include({ code: 'PAYMENT.ABANDONED' });
    expect(provider.load).to.deep.equal({ busy: 1, queued: 0 });
    wakeNext();
    expect(await first).to.deep.equal({ approved: true });
    expect(provider.load.busy).to.equal(0);
  });

  it('refuses a latency range whose minimum exceeds its maximum', () => {
    expect(() => new SimulatedPaymentProvider(settings({ latencyMinMs: 10, latencyMaxMs: 5 }))).to.throw(RangeError);
  });
});
