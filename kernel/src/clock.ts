/** The time, as the use cases read it (a fixed or moving clock in tests). */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique id. */
  newId(): string;
  /** The same id for the same inputs (a retried request keeps its id). */
  idFor(...parts: string[]): string;
}
