import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, streamEvents } from '../support/events.js';
import { storeOrder } from '../support/flow.js';
import { call, clients } from '../support/grpc-clients.js';
import { anOrder } from '../support/orders.js';

const STORE = 'store-seoul-chicken';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparent = (traceId: string) => `00-${traceId}-${CALLER_SPAN}-01`;

interface LogLine {
  msg: string;
  trace_id?: string;
  span_id?: string;
  requestId?: string;
  orderId?: string;
  rpc?: string;
}

/** The JSON lines of a service's log written inside the trace. */
function linesOfTrace(file: string, traceId: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.trace_id === traceId);
}

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** An OTLP/HTTP trace receiver (JSON encoding) on 127.0.0.1: keeps every span it is sent. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private readonly server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') this.receive(JSON.parse(body) as ExportRequest);
      response.writeHead(request.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private receive(request: ExportRequest): void {
    for (const { resource, scopeSpans } of request.resourceSpans ?? []) {
      const service = resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
      for (const { spans } of scopeSpans ?? []) for (const span of spans ?? []) this.spans.push({ service, ...span });
    }
  }
}

interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: Array<Omit<ReceivedSpan, 'service'>> }>;
  }>;
}

describe('tracing: one trace from the client through order, payment, the events, store and notification', function () {
  this.timeout(180_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  const receiver = new OtlpReceiver();

  before(async () => {
    const debug = { LOG_LEVEL: 'debug' };
    system = await startSystem(['payment', 'order', 'store', 'notification'], {
      payment: { ...debug, PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '5' },
      order: debug,
      store: debug,
      notification: debug,
    });
    api = clients({ order: system.service('order').grpc, store: system.service('store').grpc });
  });
  after(async () => {
    api?.close();
    await stopAll();
    await receiver.close();
  });

  it('carries the trace id of the caller to every service log, through the outbox and NATS, without an exporter', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { order } = await call(api.order.placeOrder.bind(api.order), anOrder(), {
      metadata: { traceparent: traceparent(traceId), 'x-request-id': 'tracing-request-1' },
    });
    const orderId = order!.orderId;
    await storeOrder(api.store, STORE, orderId);

    const log = (name: 'order' | 'payment' | 'store' | 'notification') => system.service(name).process.logFile;
    const inOrder = linesOfTrace(log('order'), traceId);
    const placed = inOrder.find((line) => line.msg === 'call handled' && line.rpc === 'PlaceOrder');
    expect(placed).to.include({ requestId: 'tracing-request-1' });
    expect(placed?.span_id).to.not.equal(CALLER_SPAN);
    // Payment is called by order within the trace, and is given the request id with it.
    const inPayment = linesOfTrace(log('payment'), traceId);
    expect(inPayment.find((line) => line.msg === 'call handled')).to.include({ requestId: 'tracing-request-1' });
    const inStore = await eventually('the store handling OrderPlaced in the trace', async () => {
      const lines = linesOfTrace(log('store'), traceId).filter((line) => line.msg === 'event handled' && line.orderId === orderId);
      return lines.length > 0 ? lines : undefined;
    });
    const inNotification = await eventually('notification tracking the order in the trace', async () => {
      const lines = linesOfTrace(log('notification'), traceId).filter((line) => line.msg === 'tracking updated');
      return lines.length > 0 ? lines : undefined;
    });
    // Each service has spans of its own in the trace.
    const spanIds = new Set([inOrder, inPayment, inStore, inNotification].map((lines) => lines[0]!.span_id));
    expect(spanIds.size).to.equal(4);

    for (const stream of ['FOODDELIVERY_ORDER', 'FOODDELIVERY_PAYMENT']) {
      const published = (await streamEvents(system.nats.url, stream)).find((event) => event.orderId === orderId);
      expect(published?.traceparent, stream).to.match(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    }
    console.log(
      `      checked: trace ${traceId} in ${[inOrder, inPayment, inStore, inNotification].map((lines) => lines.length).join('/')} log lines of order/payment/store/notification`,
    );
  });

  it('continues a trace over REST as over gRPC', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    const response = await fetch(`${system.service('order').http}/v1/stores`, {
      headers: { traceparent: traceparent(traceId), 'x-request-id': 'tracing-request-2' },
    });
    expect(response.status).to.equal(200);
    const handled = await eventually('the REST call logged in the trace', async () =>
      linesOfTrace(system.service('order').process.logFile, traceId).find((line) => line.msg === 'call handled'),
    );
    expect(handled).to.include({ rpc: 'ListStores', requestId: 'tracing-request-2' });
  });

  it('with OTLP export on, the services send their spans of the trace to a collector', async () => {
    const endpoint = await receiver.start();
    const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' };
    for (const name of ['order', 'payment', 'store'] as const) {
      await system.stop(name);
      await system.start(name, otlp);
    }
    api.close();
    api = clients({ order: system.service('order').grpc, store: system.service('store').grpc });

    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const { order } = await call(api.order.placeOrder.bind(api.order), anOrder(), { metadata: { traceparent: traceparent(traceId) } });
    await storeOrder(api.store, STORE, order!.orderId);

    const spans = await eventually(
      'spans of order, payment and store, down to the store receiving the order',
      async () => {
        const spans = receiver.spans.filter((span) => span.traceId === traceId);
        return spans.some((span) => span.service === 'store' && span.name === 'fooddelivery.order.placed process') ? spans : undefined;
      },
      15_000,
    );
    const named = (service: string, name: string) => spans.find((span) => span.service === service && span.name === name);
    const placeOrder = named('order', 'fooddelivery.order.v1.OrderService/PlaceOrder');
    const approveCall = spans.find((span) => span.service === 'order' && span.name.endsWith('PaymentService/ApprovePayment'));
    const approve = spans.find((span) => span.service === 'payment' && span.name.endsWith('PaymentService/ApprovePayment'));
    expect(placeOrder?.parentSpanId).to.equal(CALLER_SPAN);
    expect(approveCall?.parentSpanId).to.equal(placeOrder?.spanId);
    expect(approve?.parentSpanId).to.equal(approveCall?.spanId);
    expect(named('payment', 'fooddelivery.payment.approved publish')?.parentSpanId).to.equal(approve?.spanId);
    const publish = named('order', 'fooddelivery.order.placed publish');
    expect(publish?.parentSpanId).to.equal(placeOrder?.spanId);
    expect(named('store', 'fooddelivery.order.placed process')?.parentSpanId).to.equal(publish?.spanId);
    console.log(`      checked: ${spans.length} spans of one trace exported over OTLP/HTTP by order, payment and store`);
  });
});
