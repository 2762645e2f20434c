import { HealthCheckResponse_ServingStatus, HealthClient } from '@fooddelivery/gen/grpc/health/v1/health';
import { credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';

/** A client for one server's grpc.health.v1 service; `status()` never throws (errors read as their text). */
export class HealthProbe {
  private readonly client: InstanceType<typeof HealthClient>;

  constructor(address: string, channel: ChannelCredentials = credentials.createInsecure()) {
    this.client = new HealthClient(address, channel);
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
