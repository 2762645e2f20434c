import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Distributed tracing (OpenTelemetry, W3C Trace Context). Spans are made by our own gRPC and REST
 * servers, the gRPC client interceptor, the event publisher and the event consumer, so a trace
 * follows a call from the client through the services and their events. Exporting is off unless
 * configured (`OTEL_TRACES_EXPORTER`, or an OTLP endpoint): the spans are then made, their ids
 * propagated and written on log lines, and dropped when they end, without any network work.
 */
export interface Tracing {
  /** The exporters spans go to (`otlp`, `console`, `zipkin`); empty when they are not exported. */
  exporters: string[];
  /** Exports what is left and stops. */
  stop(): Promise<void>;
}

export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const exporters = tracesExporters(env);
  const sdk = new NodeSDK({
    serviceName: service,
    instrumentations: [],
    // Traces only: metrics are served on /metrics and logs are written as JSON lines.
    metricReaders: [],
    logRecordProcessors: [],
    // Unset, the SDK reads OTEL_TRACES_EXPORTER (and the OTLP variables) itself.
    ...(exporters.length === 0 && { spanProcessors: [new NoopSpanProcessor()] }),
  });
  sdk.start();
  return { exporters, stop: () => sdk.shutdown() };
}

/** OTEL_TRACES_EXPORTER as the SDK reads it, except that unset means none unless an OTLP endpoint is set. */
export function tracesExporters(env: NodeJS.ProcessEnv): string[] {
  const named = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && name !== 'null');
  if (named.length === 0) return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? ['otlp'] : [];
  return named.includes('none') ? [] : named;
}

const tracer = trace.getTracer('fooddelivery');

/** Reads one header (gRPC metadata, HTTP or NATS header) by its lower-case name. */
export type HeaderReader = (name: string) => string | undefined;

const readerGetter: TextMapGetter<HeaderReader> = { get: (read, key) => read(key) || undefined, keys: () => [] };
const recordSetter: TextMapSetter<Record<string, string>> = { set: (carrier, key, value) => (carrier[key] = value) };

/** A started span: `run` code inside it (its log lines carry its ids), then `end` it once. */
export interface RunningSpan {
  run<T>(fn: () => T): T;
  /** Ends the span, as failed when `failure` says why. */
  end(failure?: string): void;
  setAttributes(attributes: Attributes): void;
  /** The W3C headers (traceparent, tracestate) that continue the trace below this span. */
  headers(): Record<string, string>;
}

function begin(name: string, kind: SpanKind, parent: Context, attributes: Attributes): RunningSpan {
  const span: Span = tracer.startSpan(name, { kind, attributes }, parent);
  const inside = trace.setSpan(parent, span);
  return {
    run: (fn) => context.with(inside, fn),
    end(failure) {
      if (failure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
      span.end();
    },
    setAttributes: (more) => void span.setAttributes(more),
    headers() {
      const carrier: Record<string, string> = {};
      propagation.inject(inside, carrier, recordSetter);
      return carrier;
    },
  };
}

/** A call received (gRPC or REST): continues the caller's trace when its headers carry one. */
export function serverSpan(name: string, header: HeaderReader, attributes: Attributes = {}): RunningSpan {
  return begin(name, SpanKind.SERVER, propagation.extract(ROOT_CONTEXT, header, readerGetter), attributes);
}

/** A call made to another service, below the running span. */
export function clientSpan(name: string, attributes: Attributes = {}): RunningSpan {
  return begin(name, SpanKind.CLIENT, context.active(), attributes);
}

/** An event being published: continues the trace its outbox entry was written in (`traceparent`). */
export function producerSpan(name: string, traceparent: string | undefined, attributes: Attributes = {}): RunningSpan {
  const parent = traceparent
    ? propagation.extract(ROOT_CONTEXT, (key) => (key === 'traceparent' ? traceparent : undefined), readerGetter)
    : ROOT_CONTEXT;
  return begin(name, SpanKind.PRODUCER, parent, attributes);
}

/** An event being handled: continues the trace of its message headers. */
export function consumerSpan(name: string, header: HeaderReader, attributes: Attributes = {}): RunningSpan {
  return begin(name, SpanKind.CONSUMER, propagation.extract(ROOT_CONTEXT, header, readerGetter), attributes);
}

/** The W3C traceparent of the running span, stored with the events a change raises. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier, recordSetter);
  return carrier.traceparent;
}

/** `trace_id` and `span_id` of the running span, for log lines. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return isSpanContextValid(span.spanContext()) ? { trace_id: traceId, span_id: spanId } : {};
}
