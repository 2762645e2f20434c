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
