/**
 * google.api.http path templates (`/v1/stores/{store_id}/orders/{order_id}:accept`).
 * General-purpose routers have no notion of the trailing `:verb`, so templates are matched here.
 */
export interface PathTemplate {
  segments: Array<{ literal: string } | { variable: string; multi: boolean }>;
  verb?: string;
}

export function parsePathTemplate(template: string): PathTemplate {
  let path = template;
  let verb: string | undefined;
  const lastSlash = path.lastIndexOf('/');
  const colon = path.indexOf(':', lastSlash);
  if (colon > path.lastIndexOf('}')) {
    verb = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  const segments = path
    .split('/')
    .slice(1)
    .map((segment) => {
      const variable = /^\{([a-z0-9_.]+)(?:=(\*\*?))?\}$/i.exec(segment);
      if (!variable) return { literal: segment };
      return { variable: variable[1] as string, multi: variable[2] === '**' };
    });
  return verb === undefined ? { segments } : { segments, verb };
}

/** The template's variables bound from `path`, or undefined when it does not match. */
export function matchPathTemplate(template: PathTemplate, path: string): Record<string, string> | undefined {
  let rest = path;
  let verb: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash);
  if (template.verb !== undefined) {
    if (colon < 0) return undefined;
    verb = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (verb !== template.verb) return undefined;
  }
  const parts = rest.split('/').slice(1);
  const bound: Record<string, string> = {};
  for (let i = 0; i < template.segments.length; i++) {
    const segment = template.segments[i]!;
    if ('literal' in segment) {
      if (parts[i] !== segment.literal) return undefined;
      continue;
    }
    if (segment.multi) {
      bound[segment.variable] = parts.slice(i).map(decodeURIComponent).join('/');
      return bound;
    }
    const part = parts[i];
    if (part === undefined || part === '') return undefined;
    bound[segment.variable] = decodeURIComponent(part);
  }
  return parts.length === template.segments.length ? bound : undefined;
}
