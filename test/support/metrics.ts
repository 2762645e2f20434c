/** The value of one sample of a Prometheus text exposition, 0 when absent. */
export async function metric(httpBase: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${httpBase}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** The samples of `name` in a Prometheus text exposition, with their labels. */
export function samples(exposition: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const found = [];
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key!, value!]));
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function total(exposition: string, name: string, labels: Record<string, string> = {}): number {
  return samples(exposition, name)
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** The text exposition a service serves at /metrics. */
export async function scrape(httpBase: string): Promise<string> {
  const response = await fetch(`${httpBase}/metrics`);
  if (!response.ok) throw new Error(`${httpBase}/metrics answered ${response.status}`);
  return response.text();
}
