/** A bad inventory line: the import is refused as a whole, and the message names the line. */
export class ImportError extends Error {
  override name = 'ImportError';
  /** 1-based line number in the imported text. */
  readonly line: number;
  /** The problem without the "line N:" prefix. */
  readonly reason: string;

  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}
