/** Natural order for host and partition names: node2 before node10. */
let collator: Intl.Collator | undefined;

/** The collator is made on first use: creating one loads ICU data (~10 ms), too much for start-up. */
export function naturalCompare(a: string, b: string): number {
  collator ??= new Intl.Collator('en', { numeric: true });
  return collator.compare(a, b);
}
