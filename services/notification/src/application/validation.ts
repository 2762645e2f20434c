import { invalidField } from '../domain/notification.errors.js';

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function requireId(field: string, value: string): string {
  if (value === '') throw invalidField(field, 'is required');
  if (!idPattern.test(value)) throw invalidField(field, 'must be 1–64 letters, digits, ".", "_", ":" or "-"');
  return value;
}

export function pageSize(value: number): number {
  if (value < 0) throw invalidField('page_size', 'must not be negative');
  if (value > 100) throw invalidField('page_size', 'must be at most 100');
  return value === 0 ? 20 : value;
}
