import { expect } from 'chai';
import { Notification, notificationId, type RetryPolicy } from '../../src/domain/notification.js';

const t0 = new Date('2025-05-01T12:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const policy: RetryPolicy = { backoffMs: [1_000, 5_000, 30_000], maxAttempts: 5 };
const aNotification = () =>
  Notification.record({ orderId: 'o-1', customerId: 'c-1', status: 'accepted', text: 'accepted', channel: 'kakao' }, t0);

describe('Notification (domain)', () => {
  it('is recorded pending and due at once, with the id orderId:status', () => {
    const notification = aNotification();
    expect(notification.id).to.equal(notificationId('o-1', 'accepted')).and.to.equal('o-1:accepted');
    expect(notification.snapshot()).to.deep.include({ deliveryState: 'pending', attempts: 0, lastError: '' });
    expect(notification.isDue(t0)).to.equal(true);
  });

  it('an attempt under way holds it until its lease ends', () => {
    const notification = aNotification();
    notification.startAttempt(t0, 10_000);
    expect(notification.snapshot().attempts).to.equal(1);
    expect(notification.isDue(at(9_999))).to.equal(false);
    expect(notification.dueAt()).to.deep.equal(at(10_000));
  });

  it('delivered: sent, with the time, and never due again', () => {
    const notification = aNotification();
    notification.startAttempt(t0, 10_000);
    notification.delivered(at(50));
    expect(notification.snapshot()).to.deep.include({ deliveryState: 'sent', sentAt: at(50), attempts: 1 });
    expect(notification.snapshot().leaseUntil).to.equal(undefined);
    expect(notification.dueAt()).to.equal(undefined);
  });

  it('failed attempts wait for each backoff delay in turn, the last one repeating, then give up', () => {
    const notification = aNotification();
    const delays: number[] = [];
    let now = t0.getTime();
    for (let attempt = 1; attempt <= 5; attempt++) {
      notification.startAttempt(new Date(now), 10_000);
      notification.attemptFailed('HTTP 500', new Date(now), policy, false);
      const due = notification.dueAt();
      if (!due) break;
      delays.push(due.getTime() - now);
      now = due.getTime();
    }
    expect(delays).to.deep.equal([1_000, 5_000, 30_000, 30_000]);
    expect(notification.snapshot()).to.deep.include({ deliveryState: 'failed', attempts: 5, lastError: 'HTTP 500' });
  });

  it('a permanent failure gives up at once, keeping the error', () => {
    const notification = aNotification();
    notification.startAttempt(t0, 10_000);
    notification.attemptFailed('HTTP 400: unknown recipient', t0, policy, true);
    expect(notification.snapshot()).to.deep.include({ deliveryState: 'failed', attempts: 1, lastError: 'HTTP 400: unknown recipient' });
  });
});
