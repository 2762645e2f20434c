import { join } from 'node:path';
import { repoRoot, toolPath } from './paths.js';
import { spawnProcess, track } from './processes.js';
import { waitUntil } from './wait.js';

export interface JaegerOptions {
  /** The UI and its query API. */
  uiPort: number;
  /** OTLP/HTTP, where the services send their spans. */
  otlpPort: number;
  /** The query API over gRPC (the UI does not need it, but Jaeger always serves it). */
  queryGrpcPort: number;
  logFile: string;
  readyTimeoutMs?: number;
}

export interface Jaeger {
  uiUrl: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the services. */
  otlpEndpoint: string;
  logFile: string;
}

/**
 * Jaeger all-in-one (built from the Go module proxy into .tools/bin by `SETUP_OBSERVE=1 bash
 * scripts/setup.sh`) with tools/jaeger/observe.yaml: spans in memory, on 127.0.0.1. Resolves once
 * its UI answers.
 */
export async function startJaeger(options: JaegerOptions): Promise<Jaeger> {
  const { uiPort, otlpPort, queryGrpcPort, logFile, readyTimeoutMs = 30_000 } = options;
  const server = await spawnProcess({
    name: 'jaeger',
    command: toolPath('jaeger'),
    args: ['--config', join(repoRoot, 'tools', 'jaeger', 'observe.yaml')],
    env: {
      ...process.env,
      JAEGER_UI_PORT: String(uiPort),
      JAEGER_OTLP_PORT: String(otlpPort),
      JAEGER_QUERY_GRPC_PORT: String(queryGrpcPort),
    },
    logFile,
  });
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  try {
    await waitUntil(`Jaeger on port ${uiPort}`, () => answers(`${uiUrl}/api/services`), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 200,
      process: server,
    });
  } catch (error) {
    await server.kill();
    throw error;
  }
  track({ name: 'jaeger', stop: async () => void (await server.stop()) });
  return { uiUrl, otlpEndpoint: `http://127.0.0.1:${otlpPort}`, logFile };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}
