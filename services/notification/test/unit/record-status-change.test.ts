import { expect } from 'chai';
import { RecordStatusChange } from '../../src/application/record-status-change.js';
import { OrderTracking } from '../../src/domain/tracking.js';
import { FakeClock, InMemoryNotificationRepository, InMemoryTrackingRepository } from '../support/in-memory.js';
import { aChange } from '../support/mother.js';

describe('RecordStatusChange (use case)', () => {
  let trackings: InMemoryTrackingRepository;
  let notifications: InMemoryNotificationRepository;
  let record: RecordStatusChange;

  beforeEach(() => {
    trackings = new InMemoryTrackingRepository();
    notifications = new InMemoryNotificationRepository();
    record = new RecordStatusChange(trackings, notifications, new FakeClock(), { language: 'en', channel: 'kakao' });
  });

  it('creates the tracking and one pending message in the configured language', async () => {
    expect(await record.execute(aChange('paid'))).to.deep.equal({ viewChanged: true, notification: 'created' });
    expect((await trackings.find('o-1'))?.value.status).to.equal('paid');
    const [message] = notifications.all();
    expect(message).to.deep.include({ notificationId: 'o-1:paid', customerId: 'c-1', deliveryState: 'pending', channel: 'kakao' });
    expect(message!.text).to.equal('[Order o-1] Payment complete; your order has been placed. Amount: ₩38,500');
    expect(notifications.pending.size).to.equal(1);
  });

  it('the same event twice: no second write, no second message', async () => {
    await record.execute(aChange('paid'));
    await record.execute(aChange('accepted'));
    const writes = trackings.writes;
    expect(await record.execute(aChange('accepted'))).to.deep.equal({ viewChanged: false, notification: 'exists' });
    expect(trackings.writes).to.equal(writes);
    expect(notifications.all().map((message) => message.notificationId)).to.have.members(['o-1:paid', 'o-1:accepted']);
  });

  it('a store event first: the tracking starts from it and is addressed to the customer it names', async () => {
    await record.execute(aChange('cooking', { customerId: 'c-9' }));
    expect((await trackings.find('o-1'))?.value.snapshot()).to.deep.include({ customerId: 'c-9', storeId: 's-1' });
    expect(notifications.all()[0]).to.deep.include({ customerId: 'c-9', status: 'cooking' });
  });

  it('loses no update when another handler writes in between (compare-and-set, then another round)', async () => {
    await record.execute(aChange('paid'));
    let interfered = false;
    trackings.beforeWrite = async () => {
      if (interfered) return;
      interfered = true;
      const other = (await trackings.find('o-1'))!.value;
      other.apply(aChange('cooking'));
      trackings.put(other);
    };
    await record.execute(aChange('accepted'));
    expect(trackings.conflicts).to.equal(1);
    expect((await trackings.find('o-1'))?.value.timeline.map((step) => step.status)).to.deep.equal(['paid', 'accepted', 'cooking']);
  });

  it('two handlers creating the same tracking: the second merges into the first', async () => {
    let interfered = false;
    trackings.beforeWrite = async () => {
      if (interfered) return;
      interfered = true;
      trackings.put(OrderTracking.start(aChange('accepted')));
    };
    await record.execute(aChange('paid'));
    expect((await trackings.find('o-1'))?.value.timeline.map((step) => step.status)).to.deep.equal(['paid', 'accepted']);
  });

  it('gives up (for a redelivery) when the tracking keeps changing under it', async () => {
    await record.execute(aChange('paid'));
    trackings.beforeWrite = async () => {
      const other = (await trackings.find('o-1'))!.value;
      trackings.put(other);
    };
    const error = await record.execute(aChange('accepted')).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.deep.include({ code: 'TRACKING.CONCURRENT_UPDATE', kind: 'unavailable' });
  });

  it('a redelivery after a crash between the view and the message still records the message', async () => {
    trackings.put(OrderTracking.start(aChange('paid')));
    expect(await record.execute(aChange('paid'))).to.deep.equal({ viewChanged: false, notification: 'created' });
    expect(notifications.all()).to.have.length(1);
  });

  it('keeps the message of a change whose customer is not known, without a recipient nothing is recorded', async () => {
    expect(await record.execute(aChange('refunded', { customerId: '' }))).to.deep.equal({
      viewChanged: true,
      notification: 'no_recipient',
    });
    expect(notifications.all()).to.have.length(0);
    // Once the customer is known, later steps are addressed to them.
    await record.execute(aChange('paid'));
    expect(notifications.all().map((message) => message.customerId)).to.deep.equal(['c-1']);
  });
});
