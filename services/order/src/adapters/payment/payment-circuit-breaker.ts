import type { Logger } from '@fooddelivery/adapters/logger.js';
import type { Metrics } from '@fooddelivery/adapters/metrics.js';
import CircuitBreaker from 'opossum';

export interface BreakerSettings {
  /** Budget for one payment call; the gRPC deadline is the same, so a late call is cancelled. */
  timeoutMs: number;
  errorThresholdPercentage: number;
  /** Calls within the rolling window before the error rate may open the circuit. */
  volumeThreshold: number;
  resetTimeoutMs: number;
  rollingWindowMs: number;
}

const stateValue = { closed: 0, halfOpen: 1, open: 2 } as const;

/**
 * Guards calls to payment: past the error threshold the circuit opens and calls fail at once
 * until `resetTimeoutMs`, then one trial call (half-open) decides whether it closes again.
 * Errors for which `isCallerFault` holds (bad requests) do not count against payment.
 */
export function createPaymentBreaker<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
  settings: BreakerSettings,
  isCallerFault: (error: unknown) => boolean,
  logger: Logger,
  metrics: Metrics,
): CircuitBreaker<A, R> {
  const breaker = new CircuitBreaker(action, {
    name: 'payment',
    timeout: settings.timeoutMs,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    volumeThreshold: settings.volumeThreshold,
    resetTimeout: settings.resetTimeoutMs,
    rollingCountTimeout: settings.rollingWindowMs,
    errorFilter: isCallerFault,
  });
  const state = metrics.gauge('payment_circuit_state', 'Payment circuit breaker: 0 closed, 1 half-open, 2 open');
  const transitions = metrics.counter('payment_circuit_transitions_total', 'Payment circuit breaker state changes', ['to']);
  const rejected = metrics.counter('payment_circuit_rejected_total', 'Payment calls refused at once because the circuit was open');
  state.set(stateValue.closed);
  const onChange = (to: keyof typeof stateValue) => () => {
    state.set(stateValue[to]);
    transitions.inc({ to });
    const stats = breaker.stats;
    logger.warn(
      { circuit: 'payment', state: to, failures: stats.failures, timeouts: stats.timeouts, fires: stats.fires },
      `payment circuit ${to}`,
    );
  };
  breaker.on('open', onChange('open'));
  breaker.on('halfOpen', onChange('halfOpen'));
  breaker.on('close', onChange('closed'));
  breaker.on('reject', () => rejected.inc());
  return breaker;
}
