import type { ComponentChildren } from 'preact';
import { describeError } from './api';

/** A failure, announced to screen readers as it appears. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return (
    <p class="message error" role="alert">
      {describeError(error)}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="message notice" role="status">
      {children}
    </p>
  );
}

/** The first characters of an id: enough to tell orders apart on a screen. */
export function shortId(id: string | undefined): string {
  return (id ?? '').slice(0, 8);
}
