import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';

/**
 * Mutual TLS between services: each service presents its certificate and accepts only peers
 * whose certificate the shared CA signed. Off (plaintext) when no files are configured, as
 * locally; all three files or none.
 */
export interface GrpcTlsFiles {
  GRPC_TLS_CERT_FILE: string;
  GRPC_TLS_KEY_FILE: string;
  GRPC_TLS_CA_FILE: string;
}

const names = ['GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE', 'GRPC_TLS_CA_FILE'] as const;

/** What is wrong with the TLS settings, if anything: a partial set would silently fall back to plaintext. */
export function grpcTlsProblems(files: GrpcTlsFiles): string[] {
  const set = names.filter((name) => files[name] !== '');
  if (set.length === 0 || set.length === names.length) return [];
  const missing = names.filter((name) => files[name] === '');
  return [`${missing.join(', ')} must be set with ${set.join(', ')} (mutual TLS needs a certificate, its key and the CA)`];
}

export const grpcTlsEnabled = (files: GrpcTlsFiles): boolean => files.GRPC_TLS_CA_FILE !== '';

export function serverCredentials(files: GrpcTlsFiles): ServerCredentials {
  if (!grpcTlsEnabled(files)) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    readFileSync(files.GRPC_TLS_CA_FILE),
    [{ cert_chain: readFileSync(files.GRPC_TLS_CERT_FILE), private_key: readFileSync(files.GRPC_TLS_KEY_FILE) }],
    true,
  );
}

export function channelCredentials(files: GrpcTlsFiles): ChannelCredentials {
  if (!grpcTlsEnabled(files)) return ChannelCredentials.createInsecure();
  return ChannelCredentials.createSsl(
    readFileSync(files.GRPC_TLS_CA_FILE),
    readFileSync(files.GRPC_TLS_KEY_FILE),
    readFileSync(files.GRPC_TLS_CERT_FILE),
  );
}
