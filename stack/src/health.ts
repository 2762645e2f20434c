import { HealthCheckResponse_ServingStatus, HealthClient } from '@fooddelivery/gen/grpc/health/v1/health';
import { credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import { isIP } from 'node:net';

/** A client for one server's grpc.health.v1 service; `status()` never throws (errors read as their text). */
export class HealthProbe {
  private readonly client: InstanceType<typeof HealthClient>;

  constructor(address: string, channel: ChannelCredentials = credentials.createInsecure()) {
    // TLS sends no server name for an IP address: name the local processes' certificates by localhost.
    const host = address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    const options = channel._isSecure() && isIP(host) ? { 'grpc.ssl_target_name_override': 'localhost' } : {};
    this.client = new HealthClient(address, channel, options);
  }

  /** The overall status (service ""): SERVING, NOT_SERVING, … or the gRPC error's text. */
  status(timeoutMs = 1_000): Promise<string> {
    return new Promise((resolve) => {
      this.client.check({ service: '' }, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) =>
        resolve(error ? error.details || error.message : (HealthCheckResponse_ServingStatus[response.status] ?? 'UNKNOWN')),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
