import { readFileSync } from 'node:fs';

/** FileDescriptorSet of every proto in proto/ and its imports (`buf build`), for reflection and REST. */
export const descriptorSet: Buffer = readFileSync(new URL('./descriptor.binpb', import.meta.url));
