import { expect } from 'chai';
import { matchPathTemplate, parsePathTemplate } from '../../src/http-rule.js';

describe('google.api.http path templates', () => {
  const cancel = parsePathTemplate('/v1/orders/{order_id}:cancel');
  const get = parsePathTemplate('/v1/orders/{order_id}');
  const accept = parsePathTemplate('/v1/stores/{store_id}/orders/{order_id}:accept');

  it('binds variables and requires the verb', () => {
    expect(matchPathTemplate(cancel, '/v1/orders/o-1:cancel')).to.deep.equal({ order_id: 'o-1' });
    expect(matchPathTemplate(cancel, '/v1/orders/o-1')).to.equal(undefined);
    expect(matchPathTemplate(cancel, '/v1/orders/o-1:refund')).to.equal(undefined);
    expect(matchPathTemplate(accept, '/v1/stores/s-1/orders/o-1:accept')).to.deep.equal({ store_id: 's-1', order_id: 'o-1' });
  });

  it('does not take a verb for a plain path and rejects extra or missing segments', () => {
    expect(matchPathTemplate(get, '/v1/orders/o-1')).to.deep.equal({ order_id: 'o-1' });
    expect(matchPathTemplate(get, '/v1/orders/o-1/tracking')).to.equal(undefined);
    expect(matchPathTemplate(get, '/v1/orders/')).to.equal(undefined);
  });

  it('decodes percent-encoded values', () => {
    expect(matchPathTemplate(get, '/v1/orders/a%20b')).to.deep.equal({ order_id: 'a b' });
  });
});
