import { spawnSync } from 'node:child_process';

/** Median of a list of numbers (the middle one, or the mean of the two middle ones). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The q-quantile (0..1) by nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function table(rows: Array<Record<string, string | number>>): string {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (value: string | number) =>
    typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : value;
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column] ?? '').length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(columns),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(columns.map((column) => cell(row[column] ?? '')))),
  ].join('\n');
}

/**
 * The path of a command-line tool, installed from Debian's packages when it is missing and we may
 * (root, or sudo without a password); otherwise an error that says how to install it.
 */
export function requireTool(command: string, aptPackage = command): string {
  const which = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (which.status === 0) return which.stdout.trim();
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  console.log(`${command} is not installed: installing the ${aptPackage} package (apt-get)…`);
  for (const args of [
    ['apt-get', 'update', '-qq'],
    ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', aptPackage],
  ]) {
    const [program, ...rest] = [...sudo, ...args];
    const result = spawnSync(program!, rest, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${command} is needed: install it (e.g. apt-get install ${aptPackage}) and run again`);
  }
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
}
