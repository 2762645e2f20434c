import { create, toBinary, toJson, type DescMessage, type FileRegistry, type JsonObject, type Message } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { PublicError } from './errors.js';

/** The domain of every ErrorInfo the services send. */
export const errorDomain = 'fooddelivery';

/**
 * A failure as google.rpc.Status, the standard rich error model: ErrorInfo (the stable reason,
 * the domain and the field at fault), BadRequest (the field and what is wrong with it) for invalid
 * arguments, RetryInfo when a retry may succeed later. gRPC carries it in `grpc-status-details-bin`
 * (which grpcurl prints, and Envoy's transcoder turns into JSON); REST answers its proto3 JSON, the
 * same details. The types come from the descriptor set (google/rpc/*.proto, vendored in proto/).
 */
export class ErrorDetails {
  private readonly status: DescMessage;
  private readonly errorInfo: DescMessage;
  private readonly badRequest: DescMessage;
  private readonly retryInfo: DescMessage;

  constructor(private readonly registry: FileRegistry) {
    this.status = this.message('google.rpc.Status');
    this.errorInfo = this.message('google.rpc.ErrorInfo');
    this.badRequest = this.message('google.rpc.BadRequest');
    this.retryInfo = this.message('google.rpc.RetryInfo');
  }

  /** The serialized google.rpc.Status for `grpc-status-details-bin`. */
  binary(failure: PublicError): Uint8Array {
    return toBinary(this.status, this.statusOf(failure));
  }

  /** The REST error body: google.rpc.Status in proto3 JSON. */
  json(failure: PublicError): JsonObject {
    return toJson(this.status, this.statusOf(failure), { registry: this.registry }) as JsonObject;
  }

  private statusOf(failure: PublicError): Message {
    const details = [
      anyPack(
        this.errorInfo,
        create(this.errorInfo, { reason: failure.reason, domain: errorDomain, metadata: failure.field ? { field: failure.field } : {} }),
      ),
    ];
    if (failure.field && failure.grpcStatus === GrpcStatus.INVALID_ARGUMENT) {
      const violation = { field: failure.field, description: failure.message, reason: failure.reason };
      details.push(anyPack(this.badRequest, create(this.badRequest, { fieldViolations: [violation] })));
    }
    if (failure.retryAfterSeconds !== undefined) {
      const retryDelay = { seconds: BigInt(Math.max(0, Math.ceil(failure.retryAfterSeconds))), nanos: 0 };
      details.push(anyPack(this.retryInfo, create(this.retryInfo, { retryDelay })));
    }
    return create(this.status, { code: failure.grpcStatus, message: failure.message, details });
  }

  private message(typeName: string): DescMessage {
    const found = this.registry.getMessage(typeName);
    if (!found) throw new Error(`the descriptor set has no ${typeName} (proto/third_party/google/rpc)`);
    return found;
  }
}
