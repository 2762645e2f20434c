interface Waiting<W, R> {
  write: W;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes asked for at once, committed together (group commit): those asked for in the same turn
 * of the event loop, or while the previous group is being written, go to `writeAll` as one group,
 * which writes them in one transaction and says how each one went. A database that commits one
 * transaction at a time then pays one commit for the group instead of one per write. If
 * `writeAll` fails, every write of its group fails with that error.
 */
export class GroupCommit<W, R> {
  private waiting: Array<Waiting<W, R>> = [];
  private writing = false;
  private scheduled = false;

  constructor(
    private readonly writeAll: (writes: W[]) => Promise<R[]>,
    private readonly maxGroup = 128,
  ) {}

  write(write: W): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      if (!this.scheduled && !this.writing) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.next();
        });
      }
    });
  }

  private next(): void {
    if (this.writing || this.waiting.length === 0) return;
    const group = this.waiting.splice(0, this.maxGroup);
    this.writing = true;
    Promise.resolve()
      .then(() => this.writeAll(group.map(({ write }) => write)))
      .then(
        (results) => group.forEach(({ resolve }, index) => resolve(results[index]!)),
        (error: unknown) => group.forEach(({ reject }) => reject(error)),
      )
      .finally(() => {
        this.writing = false;
        this.next();
      });
  }
}
