import type { KvEntry } from 'nats';

interface Held<T> {
  revision: number;
  entry: KvEntry | undefined;
  decoded: T | undefined;
}

/**
 * The last known revision of each key, at most `maxEntries` of them (the least recently read or
 * written leave first). An entry older than the one held is ignored, so a slow read of the bucket
 * cannot put back what the watch has already replaced. Values are decoded on first read.
 */
export class TrackingView<T> {
  private readonly held = new Map<string, Held<T>>();

  constructor(
    private readonly maxEntries: number,
    private readonly decode: (entry: KvEntry) => T,
  ) {}

  get size(): number {
    return this.held.size;
  }

  put(entry: KvEntry): void {
    const current = this.held.get(entry.key);
    if (current && current.revision >= entry.revision) return;
    this.held.delete(entry.key);
    this.held.set(entry.key, { revision: entry.revision, entry: entry.operation === 'PUT' ? entry : undefined, decoded: undefined });
    if (this.held.size > this.maxEntries) this.held.delete(this.held.keys().next().value!);
  }

  /** The held value (undefined when the key was deleted), or undefined when the key is not held. */
  get(key: string): { value: T | undefined } | undefined {
    const held = this.held.get(key);
    if (!held) return undefined;
    this.held.delete(key);
    this.held.set(key, held);
    if (held.entry && held.decoded === undefined) held.decoded = this.decode(held.entry);
    return { value: held.decoded };
  }

  clear(): void {
    this.held.clear();
  }
}
