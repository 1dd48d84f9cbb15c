/**
 * An exec check's arguments: a list of strings with placeholders filled in per host —
 * `{host}` (name), `{address}` (address, else name), `{id}`, `{label:NAME}`.
 *
 * Host data must never become an option. So, when the template is defined:
 * - an argument that starts with '-' may hold a placeholder only after `--name=` (a long option's
 *   value): `-H{address}` is refused, because a short-option cluster like `-v{label:x}` would let
 *   the value add options; write `-H`, `{address}` or `--hostname={address}` instead;
 * and for each host:
 * - an argument that does not start with a literal '-' must not start with '-' once filled in;
 *   such a host is refused (UNKNOWN), not run;
 * - a missing label, or a NUL byte in a value, refuses the host too.
 */
import type { HostTarget } from '../../core/plugin.js';

type Placeholder = { kind: 'host' } | { kind: 'address' } | { kind: 'id' } | { kind: 'label'; name: string };
type Part = string | Placeholder;

export interface ArgvTemplate {
  readonly args: readonly (readonly Part[])[];
}

export class ArgvTemplateError extends Error {
  override name = 'ArgvTemplateError';
}

export const PLACEHOLDERS = ['{host}', '{address}', '{id}', '{label:NAME}'] as const;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const LABEL_NAME = /^[A-Za-z0-9_./-]{1,100}$/;
const LONG_OPTION_PREFIX = /^--[A-Za-z0-9][A-Za-z0-9_-]*=/;

/** Validates and compiles a template; throws ArgvTemplateError with a message an admin can act on. */
export function compileArgvTemplate(template: readonly string[]): ArgvTemplate {
  const args = template.map((arg, index) => {
    if (arg.includes('\0')) throw new ArgvTemplateError(`argument ${index + 1} contains a NUL byte`);
    const parts: Part[] = [];
    let last = 0;
    let firstAt = -1;
    for (const m of arg.matchAll(PLACEHOLDER)) {
      const inner = m[1] ?? '';
      const p = parsePlaceholder(inner);
      if (!p) {
        throw new ArgvTemplateError(
          `argument ${index + 1} ("${arg}"): unknown placeholder {${inner}}; known: ${PLACEHOLDERS.join(', ')}`,
        );
      }
      if (firstAt < 0) firstAt = m.index;
      if (m.index > last) parts.push(arg.slice(last, m.index));
      parts.push(p);
      last = m.index + m[0].length;
    }
    if (last < arg.length) parts.push(arg.slice(last));
    if (firstAt >= 0 && arg.startsWith('-')) {
      const prefix = LONG_OPTION_PREFIX.exec(arg);
      if (!prefix || firstAt < prefix[0].length) {
        throw new ArgvTemplateError(
          `argument ${index + 1} ("${arg}"): a placeholder inside an option may only follow "--name="; ` +
            'give the option and the placeholder as two arguments (e.g. "-H", "{address}") or use "--name={address}"',
        );
      }
    }
    return parts;
  });
  return { args };
}

function parsePlaceholder(inner: string): Placeholder | null {
  if (inner === 'host' || inner === 'address' || inner === 'id') return { kind: inner };
  if (inner.startsWith('label:')) {
    const name = inner.slice('label:'.length);
    if (LABEL_NAME.test(name)) return { kind: 'label', name };
  }
  return null;
}

export type RenderResult = { ok: true; argv: string[] } | { ok: false; error: string };

/** Fills the template for one host, or says why this host's values cannot be used. */
export function renderArgv(template: ArgvTemplate, target: HostTarget): RenderResult {
  const argv: string[] = [];
  for (const parts of template.args) {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const value = placeholderValue(part, target);
      if (value === undefined) return { ok: false, error: `${describe(part)} is not set on this host` };
      if (value.includes('\0')) return { ok: false, error: `${describe(part)} contains a NUL byte` };
      out += value;
    }
    const literalDash = typeof parts[0] === 'string' && parts[0].startsWith('-');
    if (!literalDash && out.startsWith('-')) {
      const culprit = parts.find((p) => typeof p !== 'string');
      return {
        ok: false,
        error: `${culprit ? describe(culprit) : 'a value'} gives the argument "${printable(out)}", which starts with "-" and would be read as an option; refused`,
      };
    }
    argv.push(out);
  }
  return { ok: true, argv };
}

function placeholderValue(p: Placeholder, t: HostTarget): string | undefined {
  switch (p.kind) {
    case 'host':
      return t.name;
    case 'address':
      return t.address ?? t.name;
    case 'id':
      return t.id;
    case 'label':
      return Object.hasOwn(t.labels, p.name) ? t.labels[p.name] : undefined;
  }
}

const describe = (p: Placeholder) => (p.kind === 'label' ? `label "${p.name}"` : `{${p.kind}}`);
const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
