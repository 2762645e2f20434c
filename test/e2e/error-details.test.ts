/*
 * The standard rich error model: a failure carries google.rpc.Status in grpc-status-details-bin
 * (what grpcurl prints and Envoy's transcoder turns into JSON), and REST answers the same Status
 * as JSON; the TypeScript services and the Python one alike.
 */
import { descriptorRegistry } from '@fooddelivery/adapters/http-routes';
import { fromBinary, toJson, type JsonObject } from '@bufbuild/protobuf';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { OrderServiceService } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { MarketingServiceService } from '@fooddelivery/gen/fooddelivery/marketing/v1/marketing_service';
import { toolPath } from '@fooddelivery/stack/paths';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type Client,
  type MethodDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';

const registry = descriptorRegistry(Buffer.from(descriptorSet));
const statusType = registry.getMessage('google.rpc.Status')!;

/** The google.rpc.Status of a failed call, decoded from grpc-status-details-bin, as proto3 JSON. */
function detailsOf(error: ServiceError): JsonObject {
  const [bin] = error.metadata.get('grpc-status-details-bin');
  expect(bin, 'grpc-status-details-bin').to.be.instanceOf(Buffer);
  return toJson(statusType, fromBinary(statusType, bin as Buffer), { registry }) as JsonObject;
}

function failedCall(client: Client, rpc: string, request: object): Promise<ServiceError> {
  return new Promise((resolve, reject) => {
    (client as unknown as Record<string, (r: object, m: Metadata, cb: (e: ServiceError | null) => void) => void>)[rpc]!(
      request,
      new Metadata(),
      (error) => (error ? resolve(error) : reject(new Error(`${rpc} succeeded`))),
    );
  });
}

describe('error details: google.rpc.Status on gRPC (grpc-status-details-bin) and REST alike', function () {
  this.timeout(120_000);
  let system: TestSystem;
  let order: Client;
  let marketing: Client;

  before(async () => {
    system = await startSystem(['payment', 'order', 'marketing']);
    order = new (makeGenericClientConstructor(OrderServiceService, 'OrderService'))(
      system.service('order').grpc,
      credentials.createInsecure(),
    );
    marketing = new (makeGenericClientConstructor(MarketingServiceService, 'MarketingService'))(
      system.service('marketing').grpc,
      credentials.createInsecure(),
    );
  });
  after(async () => {
    order?.close();
    marketing?.close();
    await stopAll();
  });

  const invalidOrder = { customerId: 'c-1', storeId: 'store-seoul-chicken', lines: [], deliveryAddress: 'Seoul', cardToken: 'tok_visa' };

  it('an invalid PlaceOrder: ErrorInfo (reason, domain, field) and a BadRequest field violation, the same over gRPC and REST', async () => {
    const error = await failedCall(order, 'placeOrder', invalidOrder);
    expect(error.code).to.equal(status.INVALID_ARGUMENT);
    const overGrpc = detailsOf(error);
    expect(overGrpc).to.deep.include({ code: status.INVALID_ARGUMENT, message: error.details });
    const [info, badRequest] = overGrpc.details as JsonObject[];
    expect(info).to.deep.equal({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'ORDER.INVALID_ARGUMENT',
      domain: 'fooddelivery',
      metadata: { field: 'lines' },
    });
    expect(badRequest).to.deep.equal({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'lines', description: error.details, reason: 'ORDER.INVALID_ARGUMENT' }],
    });

    const response = await fetch(`${system.service('order').http}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(invalidOrder),
    });
    expect(response.status).to.equal(400);
    expect(await response.json()).to.deep.equal(overGrpc);
  });

  it('grpcurl prints the details, resolving their types through server reflection', () => {
    const result = spawnSync(
      toolPath('grpcurl'),
      ['-plaintext', '-d', JSON.stringify(invalidOrder), system.service('order').grpc, 'fooddelivery.order.v1.OrderService/PlaceOrder'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    const output = result.stdout + result.stderr;
    expect(output).to.include('Code: InvalidArgument');
    expect(output).to.include('Details:');
    expect(output).to.include('"@type": "type.googleapis.com/google.rpc.ErrorInfo"');
    expect(output).to.include('"reason": "ORDER.INVALID_ARGUMENT"');
    expect(output).to.include('"@type": "type.googleapis.com/google.rpc.BadRequest"');
  });

  it('the Python service sends the same model: an invalid ListCoupons over gRPC and REST', async () => {
    const error = await failedCall(marketing, 'listCoupons', { customerId: 'c-1', pageSize: 0, pageToken: 'nonsense' });
    expect(error.code).to.equal(status.INVALID_ARGUMENT);
    const overGrpc = detailsOf(error);
    expect(overGrpc.details).to.deep.equal([
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'MARKETING.INVALID_ARGUMENT',
        domain: 'fooddelivery',
        metadata: { field: 'page_token' },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'page_token', description: error.details, reason: 'MARKETING.INVALID_ARGUMENT' }],
      },
    ]);
    const response = await fetch(`${system.service('marketing').http}/v1/customers/c-1/coupons?pageToken=nonsense`);
    expect(response.status).to.equal(400);
    expect(await response.json()).to.deep.equal(overGrpc);
  });

  it('bytes that are not protobuf: INVALID_ARGUMENT naming the request, from the Python service as from the others', async () => {
    for (const [service, definition, rpc, address] of [
      ['OrderService', OrderServiceService, 'placeOrder', system.service('order').grpc],
      ['MarketingService', MarketingServiceService, 'listCoupons', system.service('marketing').grpc],
    ] as const) {
      const method = (definition as unknown as Record<string, MethodDefinition<unknown, unknown>>)[rpc]!;
      const Raw = makeGenericClientConstructor({ [rpc]: { ...method, requestSerialize: (bytes: unknown) => bytes as Buffer } }, service);
      const raw = new Raw(address, credentials.createInsecure());
      try {
        const error = await failedCall(raw, rpc, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
        expect(error.code, service).to.equal(status.INVALID_ARGUMENT);
        const [info] = detailsOf(error).details as JsonObject[];
        expect(info, service).to.deep.include({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', metadata: { field: 'request' } });
      } finally {
        raw.close();
      }
    }
  });

  it('a failure worth retrying carries RetryInfo beside Retry-After', async () => {
    await system.stop('payment');
    const goodOrder = { ...invalidOrder, lines: [{ menuItemId: 'fried-chicken', quantity: 1 }] };
    const error = await failedCall(order, 'placeOrder', goodOrder);
    expect(error.code).to.equal(status.UNAVAILABLE);
    const retryAfter = Number(error.metadata.get('retry-after')[0]);
    expect(retryAfter).to.be.greaterThan(0);
    const retryInfo = (detailsOf(error).details as JsonObject[]).find(
      (detail) => detail['@type'] === 'type.googleapis.com/google.rpc.RetryInfo',
    );
    expect(retryInfo).to.deep.equal({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` });
  });
});
