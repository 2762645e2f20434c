import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per service process, served on the REST port at /metrics. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  return {
    registry,
    rpcHandled: new Counter({
      name: 'rpc_server_handled_total',
      help: 'RPCs completed, by method, transport and status code',
      labelNames: ['method', 'transport', 'code'] as const,
      registers: [registry],
    }),
    rpcDuration: new Histogram({
      name: 'rpc_server_duration_seconds',
      help: 'RPC handling time, by method and transport',
      labelNames: ['method', 'transport'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    /** The counter of that name, created on first use. */
    counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
      return (
        (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] })
      );
    },
    /** The gauge of that name, created on first use. */
    gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
      return (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge<L>({ name, help, labelNames, registers: [registry] });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
