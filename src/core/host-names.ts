/**
 * Validation of the names users give to hosts and groups.
 * Host names end up in argv (ssh, ipmitool, fping …), so the rules are strict on purpose:
 * RFC 1123 labels only, which rules out spaces, shell metacharacters and a leading '-'
 * that a tool would read as an option.
 * Each validator returns a readable error message, or null when the value is fine.
 */
import { isIP } from 'node:net';

const MAX_HOST_NAME = 253;
const MAX_LABEL = 63;
const LABEL_CHAR = /^[A-Za-z0-9-]$/;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
const MAX_LABEL_VALUE = 256;
// Parts inet_aton accepts (decimal, octal or hex): a name made only of these is read as an IPv4 address.
const NUMERIC_PART = /^(?:0x[0-9a-f]*|[0-9]+)$/i;

/** Quotes a user value for an error message: control characters escaped, long values shortened. */
export function quoteForMessage(value: string, max = 40): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  const escaped = shown.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `'${escaped}'`;
}

function describeChar(c: string): string {
  if (c === ' ') return 'a space';
  if (c === '\t') return 'a tab';
  if (/[\u0000-\u001f\u007f]/.test(c)) return `control character \\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return `'${c}'`;
}

/** RFC 1123 host name: dot-separated labels of [A-Za-z0-9-], 1–63 chars, no '-' at either end, ≤ 253 in all. */
export function validateHostName(name: string): string | null {
  if (name.length === 0) return 'host name is empty';
  const q = quoteForMessage(name);
  if (name.length > MAX_HOST_NAME) return `host name ${q} is ${name.length} characters long (at most ${MAX_HOST_NAME})`;
  if (name.startsWith('-')) return `host name ${q} must not start with '-'`;
  for (const c of name) {
    if (c !== '.' && !LABEL_CHAR.test(c)) {
      return `host name ${q} contains ${describeChar(c)} (only letters, digits, '-' and '.' are allowed)`;
    }
  }
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return `host name ${q} has an empty label (leading, trailing or double '.')`;
    if (label.length > MAX_LABEL) return `host name ${q} has a label of ${label.length} characters (at most ${MAX_LABEL})`;
    if (label.startsWith('-') || label.endsWith('-')) {
      return `host name ${q} has a label starting or ending with '-'`;
    }
  }
  // ssh and friends resolve "10.1", "0x7f.1" or "123" as IPv4 addresses, not as names.
  if (labels.length <= 4 && labels.every((l) => NUMERIC_PART.test(l))) {
    return `host name ${q} looks like an IP address, not a name`;
  }
  return null;
}

/** An IPv4 literal (dotted quad), an IPv6 literal (optionally with a %zone), or a valid host name. */
export function validateAddress(addr: string): string | null {
  if (addr.length === 0) return 'address is empty';
  if (isIP(addr) !== 0) return null;
  const q = quoteForMessage(addr);
  if (addr.startsWith('[') || addr.includes(':')) {
    return `address ${q} is not a valid IPv6 address (write it without brackets or port)`;
  }
  if (/^[0-9.]+$/.test(addr)) return `address ${q} is not a valid IPv4 address`;
  const err = validateHostName(addr);
  return err === null ? null : `address ${q} is neither an IP address nor a valid host name: ${err}`;
}

/** Group names: [A-Za-z0-9][A-Za-z0-9._-]{0,63}, so they can follow '@' in a host argument. */
export function validateGroupName(name: string): string | null {
  if (name.length === 0) return 'group name is empty';
  if (GROUP_NAME.test(name)) return null;
  const q = quoteForMessage(name);
  if (name.length > 64) return `group name ${q} is ${name.length} characters long (at most 64)`;
  if (!/^[A-Za-z0-9]/.test(name)) return `group name ${q} must start with a letter or digit`;
  const bad = [...name].find((c) => !/[A-Za-z0-9._-]/.test(c)) ?? '?';
  return `group name ${q} contains ${describeChar(bad)} (only letters, digits, '.', '_' and '-' are allowed)`;
}

/** Label keys: [A-Za-z0-9][A-Za-z0-9._/-]{0,62} (room for "prefix/name" style keys). */
export function validateLabelKey(key: string): string | null {
  if (key.length === 0) return 'label key is empty';
  if (LABEL_KEY.test(key)) return null;
  return `label key ${quoteForMessage(key)} is invalid (letters, digits, '.', '_', '/', '-', starting with a letter or digit, at most 63)`;
}

/** Label values: any printable text up to 256 characters (may be empty). */
export function validateLabelValue(value: string): string | null {
  if (value.length > MAX_LABEL_VALUE) return `label value is ${value.length} characters long (at most ${MAX_LABEL_VALUE})`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return `label value ${quoteForMessage(value)} contains a control character`;
  return null;
}
