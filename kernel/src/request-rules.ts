import { DomainError } from './domain-error.js';

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** C0 and C1 control characters and DEL: never part of a name, an address or a reason, and some stores refuse them (NUL). */
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

type ErrorClass = new (code: string, kind: 'invalid_argument', message: string, field: string) => DomainError;

/** An invalid field of a request, as `<context>.INVALID_ARGUMENT` naming the field, of the context's own error class. */
export function fieldError(context: string, errorClass: ErrorClass = DomainError) {
  return (field: string, problem: string) =>
    new errorClass(`${context}.INVALID_ARGUMENT`, 'invalid_argument', `${field}: ${problem}`, field);
}

/** The request rules every context applies, failing with `<context>.INVALID_ARGUMENT` naming the field. */
export function requestRules(context: string, errorClass: ErrorClass = DomainError) {
  const invalidField = fieldError(context, errorClass);

  const optionalText = (field: string, value: string, maxLength: number): string => {
    if (value.length > maxLength) throw invalidField(field, `must be at most ${maxLength} characters`);
    if (controlCharacter.test(value)) throw invalidField(field, 'must not contain control characters');
    return value.trim();
  };

  return {
    invalidField,
    optionalText,
    requireId: (field: string, value: string): string => {
      if (value === '') throw invalidField(field, 'is required');
      if (!idPattern.test(value)) throw invalidField(field, 'must be 1–64 letters, digits, ".", "_", ":" or "-"');
      return value;
    },
    requireText: (field: string, value: string, maxLength: number): string => {
      if (value.trim() === '') throw invalidField(field, 'is required');
      return optionalText(field, value, maxLength);
    },
    pageSize: (value: number): number => {
      if (value < 0) throw invalidField('page_size', 'must not be negative');
      if (value > 100) throw invalidField('page_size', 'must be at most 100');
      return value === 0 ? 20 : value;
    },
  };
}
