import type { Clock, IdGenerator } from '@fooddelivery/kernel/clock';
import { createHash, randomUUID } from 'node:crypto';

export const systemClock: Clock = { now: () => new Date() };

export const uuidGenerator: IdGenerator = {
  newId: () => randomUUID(),
  idFor: (...parts) => {
    // UUID-shaped digest of the parts (RFC 9562 version 8: custom), stable across retries.
    const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  },
};
