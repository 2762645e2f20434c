/**
 * Prints a trace from the Jaeger of `npm run observe` as a tree of spans, service by service:
 *
 *   npm run -s trace -- 4bf92f3577b34da6a3ce929d0e0e4736
 *   npm run -s trace            # the latest traces that went through the order service
 */
const usage = `usage: npm run -s trace -- [trace id]   (Jaeger of npm run observe, at JAEGER_UI_PORT, 16686)\n`;
const [traceId] = process.argv.slice(2);
if (traceId === '--help' || traceId === '-h') {
  process.stdout.write(usage);
  process.exit(0);
}
const jaeger = `http://127.0.0.1:${process.env.JAEGER_UI_PORT || 16686}`;

interface Span {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; spanID: string }>;
  /** Microseconds. */
  startTime: number;
  duration: number;
  processID: string;
  tags: Array<{ key: string; value: unknown }>;
}
interface Trace {
  traceID: string;
  spans: Span[];
  processes: Record<string, { serviceName: string }>;
}

async function get(path: string): Promise<Trace[]> {
  let response: Response;
  try {
    response = await fetch(`${jaeger}${path}`);
  } catch {
    throw new Error(`Jaeger does not answer at ${jaeger}: is \`npm run observe\` running?`);
  }
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`Jaeger answered ${response.status} to ${path}`);
  return ((await response.json()) as { data: Trace[] | null }).data ?? [];
}

function printTree(trace: Trace): void {
  const start = Math.min(...trace.spans.map((span) => span.startTime));
  const ids = new Set(trace.spans.map((span) => span.spanID));
  const parentOf = (span: Span) => span.references.find((ref) => ref.refType === 'CHILD_OF' && ids.has(ref.spanID))?.spanID;
  const children = (parent: string | undefined) =>
    trace.spans.filter((span) => parentOf(span) === parent).sort((a, b) => a.startTime - b.startTime);
  const ms = (micros: number) => `${(micros / 1000).toFixed(1)} ms`;
  console.log(`trace ${trace.traceID}: ${trace.spans.length} spans`);
  const print = (span: Span, depth: number) => {
    const service = trace.processes[span.processID]?.serviceName ?? '?';
    const failed = span.tags.some((tag) => tag.key === 'otel.status_code' && tag.value === 'ERROR') ? '  FAILED' : '';
    const name = `${'  '.repeat(depth)}${service}: ${span.operationName}`;
    console.log(`  ${name.padEnd(80)} +${ms(span.startTime - start).padStart(10)} ${ms(span.duration).padStart(10)}${failed}`);
    for (const child of children(span.spanID)) print(child, depth + 1);
  };
  for (const root of children(undefined)) print(root, 0);
}

try {
  if (traceId) {
    const [trace] = await get(`/api/traces/${encodeURIComponent(traceId)}`);
    if (!trace) throw new Error(`Jaeger has no trace ${traceId} (yet)`);
    printTree(trace);
  } else {
    const traces = await get('/api/traces?service=order&limit=10&lookback=1h');
    if (traces.length === 0) console.log('No traces through the order service in the last hour.');
    for (const trace of traces.sort(
      (a, b) => Math.min(...b.spans.map((s) => s.startTime)) - Math.min(...a.spans.map((s) => s.startTime)),
    )) {
      const root = trace.spans.reduce((first, span) => (span.startTime < first.startTime ? span : first));
      console.log(
        `${trace.traceID}  ${new Date(root.startTime / 1000).toISOString()}  ${root.operationName} (${trace.spans.length} spans)`,
      );
    }
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
