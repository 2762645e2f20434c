import {
  MongoBulkWriteError,
  MongoOperationTimeoutError,
  MongoServerError,
  type Collection,
  type OptionalUnlessRequiredId,
  type WriteError,
} from 'mongodb';

interface Waiting<T> {
  document: T;
  askedAt: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupedInsertsOptions {
  /** How long an insert may take in all, waiting for its turn included (the client's timeoutMS). */
  timeoutMs: number;
  /** Inserts sent in one command at most. */
  maxBatch?: number;
  /** Commands on their way at once; inserts asked for meanwhile wait and go together. */
  concurrency?: number;
}

/**
 * Inserts of single documents into one collection, sent together when several are asked for at
 * once (group commit): those asked for in the same turn of the event loop, or while earlier
 * commands are on their way, go out as one unordered `insert` command. A busy service makes one
 * round trip instead of many, and FerretDB commits one transaction for the batch. Each insert still
 * succeeds or fails on its own: a duplicate `_id` fails only the insert that carried it, with the
 * duplicate-key error an `insertOne` would have given; a failed command fails each of its inserts
 * with the driver's own error (an outage stays recognisable as one). The time limit counts from
 * when the insert was asked for.
 */
export class GroupedInserts<T extends { _id: string }> {
  private waiting: Array<Waiting<T>> = [];
  private sending = 0;
  private scheduled = false;
  private readonly timeoutMs: number;
  private readonly maxBatch: number;
  private readonly concurrency: number;

  constructor(
    private readonly collection: Collection<T>,
    options: GroupedInsertsOptions,
  ) {
    this.timeoutMs = options.timeoutMs;
    this.maxBatch = options.maxBatch ?? 128;
    this.concurrency = options.concurrency ?? 2;
  }

  insert(document: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ document, askedAt: performance.now(), resolve, reject });
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
    while (this.sending < this.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch).filter((insert) => this.stillInTime(insert));
      if (batch.length === 0) continue;
      this.sending++;
      void this.insertAll(batch).finally(() => {
        this.sending--;
        this.send();
      });
    }
  }

  /** An insert that waited its whole time limit for its turn is failed unsent, as a driver timeout. */
  private stillInTime(insert: Waiting<T>): boolean {
    if (performance.now() - insert.askedAt < this.timeoutMs) return true;
    insert.reject(new MongoOperationTimeoutError(`insert into ${this.collection.collectionName} waited ${this.timeoutMs} ms for its turn`));
    return false;
  }

  private async insertAll(batch: Array<Waiting<T>>): Promise<void> {
    const timeLeft = Math.max(1, Math.round(this.timeoutMs - (performance.now() - batch[0]!.askedAt)));
    try {
      await this.collection.insertMany(
        batch.map(({ document }) => document as OptionalUnlessRequiredId<T>),
        { ordered: false, timeoutMS: timeLeft },
      );
      for (const { resolve } of batch) resolve();
    } catch (error) {
      const failed = failedInserts(error);
      const cause = commandFailure(error);
      batch.forEach(({ resolve, reject }, index) => {
        if (!failed) reject(cause);
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

/** The error that failed a whole command: the driver wraps it (a timeout, a lost connection) in a bulk write error. */
function commandFailure(error: unknown): unknown {
  if (!(error instanceof MongoBulkWriteError)) return error;
  const wrapped: unknown = error.errorResponse;
  return wrapped instanceof Error ? wrapped : error;
}
