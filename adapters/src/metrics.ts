import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds: from a cache hit to a payment call at its deadline. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Scrapes usually time out after 10 s: values read from elsewhere get a fraction of that. */
const SCRAPE_READ_MS = 2_000;

/** gRPC status codes by number, named as grpc-go (and so grpc-prometheus) names them. */
const CODE_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
] as const;

/** The `grpc_code` label of a gRPC status code: `OK`, `NotFound`, `Unavailable`, … */
function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? 'Unknown';
}

/** How an RPC is labelled: grpc-prometheus's labels, and the transport it came on (grpc or rest). */
export interface RpcCall {
  /** Full proto name, e.g. `fooddelivery.order.v1.OrderService`. */
  service: string;
  method: string;
  streaming: boolean;
  transport: 'grpc' | 'rest';
}

/** One Prometheus registry per service process, served on the REST port at /metrics. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  // grpc-prometheus's names and labels, so its dashboards and alerts apply. A REST call is
  // counted with the gRPC code its answer maps to: one code vocabulary on both transports.
  const rpcLabels = ['grpc_type', 'grpc_service', 'grpc_method', 'transport'] as const;
  const started = new Counter({
    name: 'grpc_server_started_total',
    help: 'RPCs started on the server, over gRPC or REST',
    labelNames: rpcLabels,
    registers: [registry],
  });
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'RPCs completed on the server, by gRPC status code (REST calls by the code their answer maps to)',
    labelNames: [...rpcLabels, 'grpc_code'] as const,
    registers: [registry],
  });
  const handling = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'Time from the start of an RPC to its completion (to the end of the stream for server streaming)',
    labelNames: rpcLabels,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  const clientLabels = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
  const clientStarted = new Counter({
    name: 'grpc_client_started_total',
    help: 'RPCs this service started as a client',
    labelNames: clientLabels,
    registers: [registry],
  });
  const clientHandled = new Counter({
    name: 'grpc_client_handled_total',
    help: 'RPCs this service made as a client, by the gRPC status code they ended with',
    labelNames: [...clientLabels, 'grpc_code'] as const,
    registers: [registry],
  });
  const clientHandling = new Histogram({
    name: 'grpc_client_handling_seconds',
    help: 'Time from the start of a client RPC until its answer',
    labelNames: clientLabels,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  const scrapeHooks: Array<() => Promise<void>> = [];

  return {
    registry,
    /** Values read when /metrics is scraped (e.g. from NATS or a database), given at most `SCRAPE_READ_MS`. */
    onScrape(read: () => Promise<void>): void {
      scrapeHooks.push(read);
    },
    /** The text exposition, after the onScrape reads; a read that is late leaves its last values. */
    async exposition(): Promise<string> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, SCRAPE_READ_MS)));
      await Promise.race([Promise.allSettled(scrapeHooks.map((read) => read())), late]);
      clearTimeout(timer);
      return registry.metrics();
    },
    /** Counts an RPC as started; call the result once with the gRPC status code it ended with. */
    rpcStarted(call: RpcCall): (code: number) => void {
      const labels = {
        grpc_type: call.streaming ? 'server_stream' : 'unary',
        grpc_service: call.service,
        grpc_method: call.method,
        transport: call.transport,
      };
      started.inc(labels);
      const stopTimer = handling.startTimer(labels);
      let done = false;
      return (code) => {
        if (done) return;
        done = true;
        stopTimer();
        handled.inc({ ...labels, grpc_code: grpcCodeName(code) });
      };
    },
    /** Counts a unary call to another service; call the result once with the gRPC status code it ended with. */
    clientStarted(peerService: string, method: string): (code: number) => void {
      const labels = { grpc_type: 'unary', grpc_service: peerService, grpc_method: method };
      clientStarted.inc(labels);
      const stopTimer = clientHandling.startTimer(labels);
      let done = false;
      return (code) => {
        if (done) return;
        done = true;
        stopTimer();
        clientHandled.inc({ ...labels, grpc_code: grpcCodeName(code) });
      };
    },
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
    /** The histogram of that name (durations in seconds), created on first use. */
    histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Histogram<L> {
      return (
        (registry.getSingleMetric(name) as Histogram<L> | undefined) ??
        new Histogram<L>({ name, help, labelNames, buckets: DURATION_BUCKETS, registers: [registry] })
      );
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
