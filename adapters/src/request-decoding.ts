import { fromBinary, ScalarType, type DescField, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { InvalidRequestError } from './errors.js';

const int64Scalars: ReadonlySet<ScalarType> = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);

const largest = BigInt(Number.MAX_SAFE_INTEGER);
const unsafe = (value: unknown): boolean => typeof value === 'bigint' && (value > largest || value < -largest);

type PlainMessage = Record<string, unknown>;

/**
 * The path (proto field names, e.g. `items[0].quantity`) of the first 64-bit integer whose value
 * a JavaScript number cannot hold exactly: the handlers receive numbers, so such a value is
 * refused rather than rounded.
 */
export function unsafeIntegerField(desc: DescMessage, message: PlainMessage, prefix = ''): string | undefined {
  for (const field of desc.fields) {
    const path = `${prefix}${field.name}`;
    const found = inspect(field, valueOf(field, message), path);
    if (found) return found;
  }
  return undefined;
}

function valueOf(field: DescField, message: PlainMessage): unknown {
  if (!field.oneof) return message[field.localName];
  const chosen = message[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
  return chosen?.case === field.localName ? chosen.value : undefined;
}

function inspect(field: DescField, value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  switch (field.fieldKind) {
    case 'scalar':
      return int64Scalars.has(field.scalar) && unsafe(value) ? path : undefined;
    case 'message':
      if (typeof value === 'bigint') return unsafe(value) ? path : undefined; // an unboxed Int64Value
      return unsafeIntegerField(field.message, value as PlainMessage, `${path}.`);
    case 'list':
      for (const [index, item] of (value as unknown[]).entries()) {
        const found =
          field.listKind === 'message'
            ? unsafeIntegerField(field.message, item as PlainMessage, `${path}[${index}].`)
            : unsafe(item)
              ? `${path}[${index}]`
              : undefined;
        if (found) return found;
      }
      return undefined;
    case 'map':
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const found =
          field.mapKind === 'message'
            ? unsafeIntegerField(field.message, item as PlainMessage, `${path}[${key}].`)
            : unsafe(item)
              ? `${path}[${key}]`
              : undefined;
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

export function unsafeIntegerError(field: string): InvalidRequestError {
  return new InvalidRequestError(field, `must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
}

/** A request whose bytes could not be decoded: answered INVALID_ARGUMENT once the caller is authenticated. */
export class MalformedRequest {
  constructor(readonly error: InvalidRequestError) {}
}

/**
 * A gRPC request deserializer that never throws: grpc-js answers INTERNAL when one does. A
 * message that is not valid protobuf, or holds an integer out of range, becomes a
 * MalformedRequest naming what is wrong.
 */
export function guardedDeserializer<T>(
  deserialize: (bytes: Buffer) => T,
  registry: FileRegistry,
  grpcPath: string,
): (bytes: Buffer) => T | MalformedRequest {
  const [, serviceName, methodName] = /^\/([^/]+)\/([^/]+)$/.exec(grpcPath) ?? [];
  const input = registry.getService(serviceName ?? '')?.methods.find((method) => method.name === methodName)?.input;
  return (bytes) => {
    try {
      return deserialize(bytes);
    } catch (error) {
      return new MalformedRequest(explain(input, bytes, error));
    }
  };
}

function explain(input: DescMessage | undefined, bytes: Buffer, error: unknown): InvalidRequestError {
  if (input) {
    let message: PlainMessage;
    try {
      message = fromBinary(input, bytes);
    } catch (failure) {
      return new InvalidRequestError('request', `is not a valid ${input.typeName} message (${(failure as Error).message})`);
    }
    const field = unsafeIntegerField(input, message);
    if (field) return unsafeIntegerError(field);
  }
  return new InvalidRequestError('request', `cannot be read (${(error as Error).message})`);
}
