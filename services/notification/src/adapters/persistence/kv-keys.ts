/**
 * One token of a KV key for an id. KV keys allow only [-/_=.A-Za-z0-9] and use "." between
 * tokens, while ids may contain ":" or "."; anything but letters, digits, "_" and "-" becomes
 * "=" and two hex digits per UTF-8 byte, so distinct ids stay distinct keys and UUIDs stay readable.
 */
export function keyToken(id: string): string {
  if (id === '') return '=';
  let token = '';
  for (const char of id) {
    if (/[A-Za-z0-9_-]/.test(char)) token += char;
    else for (const byte of Buffer.from(char, 'utf8')) token += `=${byte.toString(16).padStart(2, '0')}`;
  }
  return token;
}

/** JetStream's answer to a compare-and-set whose expected revision is no longer the last one. */
export function isRevisionConflict(error: unknown): boolean {
  const apiError = (error as { api_error?: { err_code?: number } } | undefined)?.api_error;
  return apiError?.err_code === 10071 || (error instanceof Error && error.message.includes('wrong last sequence'));
}
