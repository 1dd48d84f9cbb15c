/**
 * Slurm node names and reasons as they may reach scontrol's argv. A name is a plain word (no
 * hostlist brackets, commas, spaces or a leading '-' that scontrol could take as an option);
 * a reason is one line, since Slurm stores and prints it as one.
 */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_NAME = 253;
export const MAX_REASON = 1000;

export function isValidNodeName(name: string): boolean {
  return name.length <= MAX_NAME && NODE_NAME.test(name);
}

/** Why `reason` cannot be used, or null when it can. */
export function reasonProblem(reason: string): string | null {
  if (reason.trim() === '') return 'a reason is required';
  if (reason.length > MAX_REASON) return `the reason is longer than ${MAX_REASON} characters`;
  if ([...reason].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return 'the reason must be one line without control characters';
  return null;
}
