import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';
import { traceFields } from './tracing.js';

export type { Logger } from 'pino';

/** Correlation fields that every log line written inside a call or message handler carries. */
export interface LogContext {
  orderId?: string;
  eventId?: string;
  eventType?: string;
  causationId?: string;
  rpc?: string;
  /** The caller's `x-request-id` (Envoy sets one on every request). */
  requestId?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with extra correlation fields merged into the current ones. */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

/** Adds fields (e.g. the orderId once known) to the context of the running call. */
export function addLogContext(fields: LogContext): void {
  const store = context.getStore();
  if (store) Object.assign(store, fields);
}

export function currentLogContext(): LogContext {
  return { ...context.getStore() };
}

/**
 * JSON lines on stdout: one object per line with time, level, service and correlation fields, and
 * `trace_id` / `span_id` when written inside a traced call or event.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => ({ ...context.getStore(), ...traceFields() }),
  });
}
