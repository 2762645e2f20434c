import { expect } from 'chai';
import { PaymentAdmission } from '../../src/adapters/payment/payment-admission.js';

describe('PaymentAdmission', () => {
  it('admits everything until payment says it is busy', async () => {
    const admission = new PaymentAdmission(1_000);
    for (let i = 0; i < 100; i++) await admission.enter();
    expect(admission.isFull()).to.equal(false);
  });

  it('learns the limit from a busy answer, lets as many wait, refuses beyond, and hands a freed slot to the first in line', async () => {
    const admission = new PaymentAdmission(1_000);
    for (let i = 0; i < 4; i++) await admission.enter();
    admission.leave({ busy: true }); // payment was full with 3 of ours
    const waiting = [admission.enter(), admission.enter(), admission.enter()];
    expect(admission.isFull()).to.equal(true);
    expect(await admission.enter().catch((error: Error) => error)).to.include({ code: 'PAYMENT.UNAVAILABLE' });
    admission.leave({ busy: false, tookMs: 100 });
    expect(await waiting[0]).to.be.within(900, 1_000);
  });

  it('lets nobody wait when the budget left could not cover the slowest recent approval', async () => {
    const admission = new PaymentAdmission(600);
    await admission.enter();
    admission.leave({ busy: false, tookMs: 590 });
    await admission.enter();
    await admission.enter();
    admission.leave({ busy: true });
    expect(admission.isFull()).to.equal(true);
    expect(await admission.enter().catch((error: Error) => error)).to.include({ code: 'PAYMENT.UNAVAILABLE' });
  });

  it('gives up waiting within the budget', async () => {
    const admission = new PaymentAdmission(300);
    await admission.enter();
    await admission.enter();
    admission.leave({ busy: true });
    const started = Date.now();
    expect(await admission.enter().catch((error: Error) => error)).to.include({ code: 'PAYMENT.UNAVAILABLE' });
    expect(Date.now() - started).to.be.within(50, 300);
  });
});
