/**
 * The parser boundary: GUI RPC reply text in, a plain object tree or a typed BoincError out.
 * Nothing past this file sees a parser exception; readers below take `unknown` and never throw.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { BoincError } from './errors.js';

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false, // keep text; the readers below convert, so "007" or "1e3" never surprise us
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

/**
 * Parses one reply (the text between framing bytes) and returns the children of
 * <boinc_gui_rpc_reply>. Throws BoincError: 'protocol' for anything that is not a well-formed
 * reply, 'unauthorized' for <unauthorized/>, 'rpc' for <error>msg</error>.
 */
export function parseReply(text: string): XmlNode {
  // No DTDs: a peer could otherwise make the parser expand entities without bound.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new BoincError('protocol', 'invalid reply: DTD not allowed');
  let tree: unknown;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      throw new BoincError('protocol', `invalid reply: ${valid.err.msg} (line ${valid.err.line})`);
    }
    tree = parser.parse(text);
  } catch (e) {
    if (e instanceof BoincError) throw e;
    throw new BoincError('protocol', `invalid reply: ${e instanceof Error ? e.message : String(e)}`);
  }
  const root = isNode(tree) ? tree.boinc_gui_rpc_reply : undefined;
  if (root === undefined) throw new BoincError('protocol', `invalid reply: no <boinc_gui_rpc_reply> in ${preview(text)}`);
  const node: XmlNode = isNode(root) ? root : {};
  if ('unauthorized' in node) throw new BoincError('unauthorized', 'not authorised for this operation');
  if ('error' in node) throw new BoincError('rpc', text1(node.error) || 'error');
  return node;
}

/** A short printable excerpt of peer output for error messages (never the whole reply). */
export function preview(text: string, max = 60): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}

export function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A child element that should be one object; {} when missing or not an element. */
export function child(node: XmlNode, key: string): XmlNode {
  const v = node[key];
  if (Array.isArray(v)) return isNode(v[0]) ? v[0] : {};
  return isNode(v) ? v : {};
}

/** A repeated child element as an array of objects (the parser gives one object when there is one). */
export function list(node: XmlNode, key: string): XmlNode[] {
  const v = node[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (isNode(x) ? x : {}));
}

/** Text content of a value (string, number, or an element with #text); '' otherwise. */
export function text1(v: unknown): string {
  if (Array.isArray(v)) return text1(v[0]);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isNode(v) && '#text' in v) return text1(v['#text']);
  return '';
}

export function str(node: XmlNode, key: string): string {
  return text1(node[key]);
}

export function num(node: XmlNode, key: string, fallback = 0): number {
  const s = text1(node[key]).trim();
  if (s === '') return fallback;
  const n = Number(s);
  return Number.isFinite(n) ? n : fallback;
}

/** BOINC flags are empty elements (<ready_to_report/>) or 0/1 values. */
export function flag(node: XmlNode, key: string): boolean {
  if (!(key in node)) return false;
  const s = text1(node[key]).trim();
  return s !== '0';
}

/** Epoch seconds (BOINC's doubles) to a Date, or null for 0/missing. */
export function epoch(node: XmlNode, key: string): Date | null {
  const n = num(node, key, 0);
  return n > 0 ? new Date(n * 1000) : null;
}

/** Escapes a value placed inside a request element. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
