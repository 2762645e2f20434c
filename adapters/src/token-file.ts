import { readFileSync, statSync } from 'node:fs';

/**
 * A bearer token kept in a file that something else rotates (the local stack, a Kubernetes
 * Secret): read again whenever the file changes, so short-lived tokens can be replaced while
 * the service runs. Looks at the file at most once per `checkEveryMs`.
 */
export class TokenFile {
  private token = '';
  private modified = -1;
  private checkedAt = -Infinity;

  constructor(
    private readonly path: string,
    private readonly checkEveryMs = 1_000,
  ) {
    this.refresh();
    if (!this.token) throw new Error(`${path} holds no token`);
  }

  current(): string {
    if (Date.now() - this.checkedAt >= this.checkEveryMs) {
      try {
        this.refresh();
      } catch {
        // A rotation caught half-way (file briefly missing): keep the token we have.
      }
    }
    return this.token;
  }

  private refresh(): void {
    this.checkedAt = Date.now();
    const modified = statSync(this.path).mtimeMs;
    if (modified === this.modified) return;
    const token = readFileSync(this.path, 'utf8').trim();
    if (token) {
      this.token = token;
      this.modified = modified;
    }
  }
}
