/**
 * Prints a development JWT signed with the local key (envoy/dev-keys), for grpcurl and curl:
 *
 *   npm run -s token -- customer c-1
 *   npm run -s token -- store_owner store-busan-noodles
 *   npm run -s token -- admin ops
 */
import { devToken, type Role } from '@fooddelivery/stack/tokens';

const roles: Role[] = ['customer', 'store_owner', 'admin', 'service'];
const usage = `usage: npm run -s token -- <${roles.join('|')}> <subject> [expires-in, e.g. 12h]\n`;
const [role, subject, expiresIn] = process.argv.slice(2);
if (role === '--help' || role === '-h') {
  process.stdout.write(usage);
  process.exit(0);
}
if (!role || !roles.includes(role as Role) || !subject) {
  process.stderr.write(usage);
  process.exit(2);
}
process.stdout.write(`${await devToken(role as Role, subject, expiresIn ? { expiresIn } : {})}\n`);
