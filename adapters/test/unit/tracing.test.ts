import { expect } from 'chai';
import { openSqlOrm } from '../../src/orm.js';
import { withTraceparent } from '../../src/outbox.js';
import { appendToOutbox, OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '../../src/sql-outbox.js';
import { currentTraceparent, serverSpan, startTracing, traceFields, tracesExporters, type Tracing } from '../../src/tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('tracing', () => {
  it('exports nothing unless an exporter or an OTLP endpoint is configured', () => {
    expect(tracesExporters({})).to.deep.equal([]);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).to.deep.equal([]);
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).to.deep.equal(['otlp']);
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).to.deep.equal(['otlp']);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: 'otlp, console' })).to.deep.equal(['otlp', 'console']);
  });

  describe('with no exporter', () => {
    let tracing: Tracing;
    before(() => (tracing = startTracing('unit-test', {})));
    after(() => tracing.stop());

    it("continues the caller's trace in a span of its own, for log lines and the events raised", () => {
      const span = serverSpan('fooddelivery.order.v1.OrderService/PlaceOrder', (name) => (name === 'traceparent' ? CALLER : undefined));
      const inside = span.run(() => ({ fields: traceFields(), traceparent: currentTraceparent(), event: withTraceparent(anEvent()) }));
      span.end();
      expect(inside.fields.trace_id).to.equal(TRACE_ID);
      expect(inside.fields.span_id)
        .to.match(/^[0-9a-f]{16}$/)
        .and.not.equal('00f067aa0ba902b7');
      expect(inside.traceparent).to.equal(`00-${TRACE_ID}-${inside.fields.span_id}-01`);
      expect(inside.event.traceparent).to.equal(inside.traceparent);
    });

    it('keeps the trace of an event in the SQL outbox, for the relay that publishes it later', async () => {
      const orm = await openSqlOrm('sqlite::memory:', [OutboxRowSchema, ProcessedEventSchema]);
      try {
        const span = serverSpan('fooddelivery.payment.v1.PaymentService/ApprovePayment', (name) =>
          name === 'traceparent' ? CALLER : undefined,
        );
        const raisedIn = await span.run(async () => {
          await orm.em.fork().transactional(async (em) => appendToOutbox(em, [anEvent()], new Date(Date.now() - 1_000)));
          return currentTraceparent();
        });
        span.end();
        const [item] = await new SqlOutboxStore(orm).pending(10, new Date());
        expect(raisedIn).to.match(new RegExp(`^00-${TRACE_ID}-`));
        expect(item?.events[0]?.traceparent).to.equal(raisedIn);
      } finally {
        await orm.close();
      }
    });

    it('starts a trace for a call that brings none, and has none outside a span', () => {
      const span = serverSpan('fooddelivery.order.v1.OrderService/ListStores', () => undefined);
      const fields = span.run(() => traceFields());
      span.end();
      expect(fields.trace_id)
        .to.match(/^[0-9a-f]{32}$/)
        .and.not.equal(TRACE_ID);
      expect(traceFields()).to.deep.equal({});
      expect(withTraceparent(anEvent())).to.not.have.property('traceparent');
    });
  });
});

function anEvent() {
  return { eventId: 'e-1', eventType: 't', subject: 's', orderId: 'o-1', payload: new Uint8Array() };
}
