import { connect, DebugEvents, Events, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';

/** How often a lost or not yet made connection is tried again. */
const RETRY_MS = 500;

/**
 * Connects as `name`, retrying forever (including the first connection). Says so in one line when
 * NATS cannot be reached (again only if the reason changes), one when the connection is lost, and
 * one when it is back. With a seed file the connection authenticates with that nkey, and its
 * replies come on `_INBOX_<name>`, the only inbox its permissions let it read.
 */
export async function connectNats(url: string, name: string, logger: Logger, seedFile = ''): Promise<NatsConnection> {
  const where = withoutCredentials(url);
  const options: ConnectionOptions = {
    servers: url,
    name,
    ...(seedFile && {
      authenticator: nkeyAuthenticator(() => new TextEncoder().encode(readFileSync(seedFile, 'utf8').trim())),
      inboxPrefix: `_INBOX_${name}`,
    }),
    maxReconnectAttempts: -1,
    reconnectTimeWait: RETRY_MS,
    // Without it every request (each JetStream publish, each KV read) captures a stack trace up
    // front, and formats it through the source maps when the request fails (a KV key not there yet):
    // a large share of a consumer's CPU. Request errors keep their own stack and message.
    noAsyncTraces: true,
  };
  const started = Date.now();
  let refusal: string | undefined;
  let connection: NatsConnection;
  for (;;) {
    try {
      connection = await connect(options);
      break;
    } catch (error) {
      const reason = describe(error);
      if (reason !== refusal) {
        logger.error({ nats: where, reason }, `NATS unreachable at ${where}: ${reason}; retrying every ${RETRY_MS / 1000} s`);
      }
      refusal = reason;
      await sleep(RETRY_MS);
    }
  }
  if (refusal) logger.info({ nats: where }, `NATS reachable at ${where} after ${seconds(Date.now() - started)}`);
  void followStatus(connection, where, logger);
  return connection;
}

async function followStatus(connection: NatsConnection, where: string, logger: Logger): Promise<void> {
  let lostAt: number | undefined;
  for await (const status of connection.status()) {
    switch (status.type) {
      case Events.Disconnect:
        if (lostAt !== undefined) break;
        lostAt = Date.now();
        logger.error({ nats: where }, `NATS connection lost at ${where}; reconnecting every ${RETRY_MS / 1000} s`);
        break;
      case Events.Reconnect:
        logger.info({ nats: where }, `NATS connection back at ${where} after ${seconds(Date.now() - (lostAt ?? Date.now()))}`);
        lostAt = undefined;
        break;
      // Each attempt while disconnected, and the client's own keep-alive: already said by the lines above.
      case DebugEvents.Reconnecting:
      case DebugEvents.PingTimer:
      case DebugEvents.StaleConnection:
        break;
      case Events.Error:
        // Repeated for every attempt while the server refuses the connection (e.g. a revoked key).
        if (lostAt === undefined) logger.warn({ nats: where, reason: status.data }, 'NATS connection error');
        break;
      case Events.Update: {
        // Sent on every (re)connection; only a change in the cluster's servers is news.
        const { added = [], deleted = [] } = status.data as { added?: string[]; deleted?: string[] };
        if (added.length + deleted.length > 0) logger.info({ nats: where, added, deleted }, 'NATS cluster servers changed');
        break;
      }
      default:
        logger.info({ nats: where, event: status.type, data: status.data }, 'NATS connection status');
    }
  }
}

/** The reason a connection attempt failed, in words. */
function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  switch (code) {
    case 'CONNECTION_REFUSED':
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'AUTHORIZATION_VIOLATION':
      return 'authorization violation (check NATS_NKEY_SEED_FILE)';
    default:
      return message ?? String(error);
  }
}

/** The server list without user and password. */
function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
