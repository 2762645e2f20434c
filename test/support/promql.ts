const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'Inf', 'NaN']);

/**
 * The metric names a PromQL expression reads (as written: `x_bucket` for a histogram's buckets).
 * Enough for the expressions of this repository's rules and dashboard, not a PromQL parser: label
 * matchers, ranges, string literals, grouping labels and Grafana's variables are left out, and a
 * name followed by `(` is a function or an aggregation.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])[a-zA-Z_:][\w:]*/g)) {
    const rest = stripped.slice(match.index + match[0].length).trimStart();
    if (rest.startsWith('(') || KEYWORDS.has(match[0])) continue;
    names.add(match[0]);
  }
  return [...names];
}

/** The sample names a Prometheus text exposition declares (a histogram's `_bucket`, `_sum` and `_count` too). */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}

interface Dashboard {
  panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }>; panels?: Dashboard['panels'] }>;
}

/** Every query of a Grafana dashboard's panels, with the panel's title. */
export function dashboardQueries(dashboard: Dashboard): Array<{ panel: string; expr: string }> {
  return dashboard.panels.flatMap((panel) => [
    ...(panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
    ...dashboardQueries({ panels: panel.panels ?? [] }),
  ]);
}
