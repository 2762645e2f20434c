import { MongoBulkWriteError, MongoServerError, type Collection, type OptionalUnlessRequiredId, type WriteError } from 'mongodb';

interface Waiting<T> {
  document: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupedInsertsOptions {
  /** Inserts sent in one command at most. */
  maxBatch: number;
  /** Commands on their way at once; inserts asked for meanwhile wait and go together. */
  concurrency: number;
}

/**
 * Inserts of single documents into one collection, sent together when several are asked for at
 * once (group commit): those asked for in the same turn of the event loop, or while earlier
 * commands are on their way, go out as one unordered `insert` command. A busy service makes one
 * round trip instead of many, and FerretDB commits one transaction for the batch. Each insert still
 * succeeds or fails on its own: a duplicate `_id` fails only the insert that carried it, with the
 * duplicate-key error an `insertOne` would have given.
 */
export class GroupedInserts<T extends { _id: string }> {
  private waiting: Array<Waiting<T>> = [];
  private sending = 0;
  private scheduled = false;

  constructor(
    private readonly collection: Collection<T>,
    private readonly options: GroupedInsertsOptions = { maxBatch: 128, concurrency: 2 },
  ) {}

  insert(document: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ document, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });
  }

  private send(): void {
    while (this.sending < this.options.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.sending++;
      void this.insertAll(batch).finally(() => {
        this.sending--;
        this.send();
      });
    }
  }

  private async insertAll(batch: Array<Waiting<T>>): Promise<void> {
    try {
      await this.collection.insertMany(
        batch.map(({ document }) => document as OptionalUnlessRequiredId<T>),
        { ordered: false },
      );
      for (const { resolve } of batch) resolve();
    } catch (error) {
      const failed = failedInserts(error);
      batch.forEach(({ resolve, reject }, index) => {
        if (!failed) reject(error);
        else if (failed.has(index)) reject(failed.get(index));
        else resolve();
      });
    }
  }
}

/** The inserts of a batch that failed, by index, each with its own error; undefined when the whole command did. */
function failedInserts(error: unknown): Map<number, MongoServerError> | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const writeErrors = ([] as WriteError[]).concat(error.writeErrors);
  if (writeErrors.length === 0) return undefined;
  return new Map(
    writeErrors.map((writeError) => [
      writeError.index,
      new MongoServerError({ message: writeError.errmsg ?? 'write failed', code: writeError.code }),
    ]),
  );
}
