import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';

/** grpc.health.v1.Health/Check, the only part of the standard health protocol we need. */
const packageDefinition = fromJSON(
  {
    nested: {
      'grpc.health.v1': {
        nested: {
          HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
          HealthCheckResponse: {
            fields: { status: { type: 'ServingStatus', id: 1 } },
            nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
          },
          Health: { methods: { Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse', comment: '' } } },
        },
      },
    },
  },
  { enums: String, defaults: true },
);

const check = (packageDefinition['grpc.health.v1.Health'] as grpc.ServiceDefinition).Check as grpc.MethodDefinition<
  { service: string },
  { status: string }
>;

/** A client for one server's health service; `status()` never throws (errors read as UNAVAILABLE). */
export class HealthProbe {
  private readonly client: grpc.Client;

  constructor(address: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure());
  }

  /** The overall status (service ""): SERVING, NOT_SERVING, … or the gRPC error's text. */
  status(timeoutMs = 1_000): Promise<string> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        check.path,
        check.requestSerialize,
        check.responseDeserialize,
        { service: '' },
        { deadline: Date.now() + timeoutMs },
        (error, response) => resolve(error ? error.details || error.message : (response?.status ?? 'UNKNOWN')),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
