import { z } from 'zod';

/** Raised when the environment does not describe a runnable service; names every bad variable. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads and validates configuration from environment variables. The schema's keys are the
 * variable names, so every problem names the variable to fix.
 */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  throw new ConfigurationError(
    result.error.issues.map((issue) => {
      const variable = issue.path.join('.');
      const value = env[variable];
      const shown = value === undefined ? 'not set' : `got ${JSON.stringify(value)}`;
      return `${variable} ${issue.message} (${shown})`;
    }),
  );
}

export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ message: 'must be a port number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(fallback),
  positiveInt: (fallback: number) =>
    z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive').default(fallback),
  nonNegativeInt: (fallback: number) =>
    z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').default(fallback),
  percent: (fallback: number) =>
    z.coerce
      .number({ message: 'must be a number' })
      .min(1, 'must be between 1 and 100')
      .max(100, 'must be between 1 and 100')
      .default(fallback),
  url: (protocols: string[], fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine(
        (value) => {
          try {
            return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
          } catch {
            return false;
          }
        },
        `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
      ),
  hostPort: (fallback: string) =>
    z
      .string()
      .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'must be host:port')
      .default(fallback),
  /** A gRPC target: host:port, dns:///host:port (every address the name resolves to), or ipv4:host:port,host:port,... */
  grpcTarget: (fallback: string) =>
    z
      .string()
      .regex(
        /^(?:dns:\/\/\/)?[A-Za-z0-9.\-_[\]:]+:\d{1,5}$|^ipv4:\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}(?:,\d{1,3}(?:\.\d{1,3}){3}:\d{1,5})*$/,
        'must be host:port, dns:///host:port or ipv4:host:port,host:port',
      )
      .default(fallback),
  logLevel: () => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  bindHost: () => z.string().min(1, 'must not be empty').default('0.0.0.0'),
  millisecondsList: (fallback: string) =>
    z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of milliseconds, e.g. 1000,5000')
      .default(fallback)
      .transform((value) => value.split(',').map(Number)),
  sqlDatabaseUrl: (fallback: string) =>
    z
      .string()
      .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<file> or postgres://user@host:port/database')
      .default(fallback),
  flag: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  text: (fallback: string) => z.string().min(1, 'must not be empty').default(fallback),
};

/** Variables every service reads. */
export function commonConfigShape(defaults: { grpcPort: number; httpPort: number }) {
  return {
    GRPC_PORT: env.port(defaults.grpcPort),
    HTTP_PORT: env.port(defaults.httpPort),
    BIND_HOST: env.bindHost(),
    NATS_URL: env.url(['nats', 'tls'], 'nats://127.0.0.1:4222'),
    /** The file holding this service's NATS nkey seed; empty connects anonymously (refused by a server that authenticates). */
    NATS_NKEY_SEED_FILE: z.string().default(''),
    LOG_LEVEL: env.logLevel(),
    /** Mutual TLS for gRPC between services (PEM files; all three or none, none = plaintext as locally). */
    GRPC_TLS_CERT_FILE: z.string().default(''),
    GRPC_TLS_KEY_FILE: z.string().default(''),
    GRPC_TLS_CA_FILE: z.string().default(''),
    SHUTDOWN_GRACE_MS: env.positiveInt(10_000),
    /**
     * Clients are asked to reconnect after a connection is this old (0: never), so that callers
     * balancing over a DNS name (order → payment) find replicas started since they connected.
     */
    GRPC_MAX_CONNECTION_AGE_MS: env.nonNegativeInt(0),
    /** How long a delivered event may stay unacknowledged (e.g. its consumer crashed) before redelivery. */
    CONSUMER_ACK_WAIT_MS: env.positiveInt(30_000),
    /**
     * Events each consumer handles at once (events of one order still one after another). Handlers
     * mostly wait for their store or for NATS, so more at once drains a backlog faster.
     */
    CONSUMER_CONCURRENCY: env.positiveInt(64),
    /** Delays before each redelivery of an event whose handling failed; then it is dead-lettered. */
    CONSUMER_BACKOFF_MS: env.millisecondsList('1000,5000,15000,30000'),
    /** Replicas of the JetStream streams a service creates (3 on a three-node NATS cluster). */
    JETSTREAM_REPLICAS: env.positiveInt(1),
    /** Events are kept in their streams this long (7 days): consumers down longer lose them. */
    STREAM_MAX_AGE_MS: env.positiveInt(7 * 24 * 3_600_000),
    /** Published outbox events and handled-event records are deleted after this long (7 days). */
    RETENTION_MS: env.positiveInt(7 * 24 * 3_600_000),
    /** production refuses development keys, the development issuer, AUTH_MODE=off and anonymous NATS. */
    DEPLOY_ENV: z.enum(['development', 'production'], { message: 'must be development or production' }).default('development'),
    /** jwt: every call but the public ones needs a valid token; off: no checks (every caller is an admin). */
    AUTH_MODE: z.enum(['jwt', 'off'], { message: 'must be jwt or off' }).default('jwt'),
    AUTH_JWKS_FILE: env.text('envoy/jwks.json'),
    AUTH_ISSUER: env.text('fooddelivery-dev'),
    AUTH_AUDIENCE: env.text('fooddelivery'),
    /** Signature algorithms accepted, comma-separated. */
    AUTH_ALGORITHMS: z
      .string()
      .regex(
        /^(ES|RS|PS)(256|384|512)(,(ES|RS|PS)(256|384|512))*$/,
        'must be a comma-separated list such as ES256,RS256 (no HS*, never none)',
      )
      .default('ES256')
      .transform((value) => value.split(',')),
    /** The longest a token may be valid (exp - iat), in seconds. */
    AUTH_MAX_TOKEN_LIFETIME_S: env.positiveInt(86_400),
    /** How far in the future a token's issue time may be, in seconds. */
    AUTH_CLOCK_SKEW_S: env.nonNegativeInt(60),
    /** Fault injection for tests: pause between an event's effect and its ack. Keep 0. */
    FAULT_DELAY_BEFORE_ACK_MS: env.nonNegativeInt(0),
  };
}
