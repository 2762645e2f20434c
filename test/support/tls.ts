import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertificateFiles {
  ca: string;
  cert: string;
  key: string;
}

/**
 * A CA of its own and one certificate it signed for loopback (127.0.0.1, localhost), usable as
 * server and as client certificate: what GRPC_TLS_* need. Made with openssl, valid a day.
 */
export function makeCertificates(dir: string, name = 'service'): CertificateFiles {
  mkdirSync(dir, { recursive: true });
  const at = (file: string) => join(dir, file);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '1', '-subj', `/CN=${name}-ca`);
  openssl('req', ...ec, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${name}`);
  writeFileSync(at('extensions.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    at(`${name}.csr`),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at(`${name}.crt`),
    '-days',
    '1',
    '-extfile',
    at('extensions.cnf'),
  );
  return { ca: at('ca.crt'), cert: at(`${name}.crt`), key: at(`${name}.key`) };
}
