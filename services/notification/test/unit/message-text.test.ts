import { expect } from 'chai';
import { messageText } from '../../src/domain/message-text.js';
import { trackingStatuses } from '../../src/domain/tracking.js';

describe('message texts', () => {
  const details = {
    orderId: '9f1c2ab4-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    total: { currencyCode: 'KRW', amountMinor: 38_500 },
    reason: 'out of chicken',
  };

  it('has a Korean and an English text for every status, naming the order', () => {
    for (const status of trackingStatuses) {
      const ko = messageText(status, 'ko', details);
      const en = messageText(status, 'en', details);
      expect(ko, status).to.include('[주문 9f1c2ab4]');
      expect(en, status).to.include('[Order 9f1c2ab4]');
      expect(ko).to.not.equal(en);
    }
  });

  it('shows amounts in won and reasons where they matter', () => {
    expect(messageText('paid', 'ko', details)).to.include('38,500원');
    expect(messageText('paid', 'en', details)).to.include('₩38,500');
    expect(messageText('refunded', 'ko', details)).to.include('38,500원이 환불되었습니다');
    expect(messageText('rejected', 'ko', details)).to.include('(사유: out of chicken)');
    expect(messageText('cancelled', 'en', { ...details, reason: '' })).to.equal('[Order 9f1c2ab4] Your order was cancelled.');
    expect(messageText('paid', 'en', { orderId: 'o-1', total: { currencyCode: 'USD', amountMinor: 1_250 }, reason: '' })).to.include(
      '12.50 USD',
    );
  });
});
