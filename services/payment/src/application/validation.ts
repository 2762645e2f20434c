import { invalidField } from '../domain/payment.errors.js';

export function requireId(field: string, value: string): string {
  if (value === '') throw invalidField(field, 'is required');
  if (value.length > 64) throw invalidField(field, 'must be at most 64 characters');
  if (/\s/.test(value)) throw invalidField(field, 'must not contain whitespace');
  return value;
}

export function requireText(field: string, value: string, maxLength: number): string {
  if (value.trim() === '') throw invalidField(field, 'is required');
  return optionalText(field, value, maxLength);
}

export function optionalText(field: string, value: string, maxLength: number): string {
  if (value.length > maxLength) throw invalidField(field, `must be at most ${maxLength} characters`);
  return value.trim();
}
