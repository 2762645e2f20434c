import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { InvalidRequestError, toPublicError } from '../../src/errors.js';

describe('error mapping', () => {
  it('maps a coded error by its kind, keeping code and field', () => {
    const failure = toPublicError(new InvalidRequestError('lines[0].quantity', 'must be positive'));
    expect(failure).to.include({
      grpcStatus: status.INVALID_ARGUMENT,
      httpStatus: 400,
      reason: 'REQUEST.INVALID_ARGUMENT',
      field: 'lines[0].quantity',
      unexpected: false,
    });
  });

  it('maps unavailable to 503 with the retry delay', () => {
    const error = Object.assign(new Error('payment down'), { code: 'PAYMENT.UNAVAILABLE', kind: 'unavailable', retryAfterSeconds: 5 });
    expect(toPublicError(error)).to.include({ grpcStatus: status.UNAVAILABLE, httpStatus: 503, retryAfterSeconds: 5 });
  });

  it('hides anything unexpected behind INTERNAL', () => {
    const failure = toPublicError(new TypeError('x is undefined'));
    expect(failure).to.include({ grpcStatus: status.INTERNAL, httpStatus: 500, message: 'internal error', unexpected: true });
  });
});
