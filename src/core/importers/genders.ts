/**
 * The genders file format (man genders), one line per node or node list:
 *
 *   # comment
 *   node[01-04],login1   compute,rack=r1,ip=10.0.0.%n
 *   node05               gpu
 *
 * The first field is a comma list of names or hostlist ranges; the second (optional) a comma list
 * of attributes without spaces. How attributes map onto Corral:
 * - `attr` (no value) → the host joins group `attr`;
 * - `ip=…` or `addr=…` → the host's address;
 * - any other `key=value` → label key=value.
 * As in genders, `%n` in a value is replaced by the node name and `%%` is a literal '%'.
 * Lines naming the same host merge; a conflicting address or label value is an error.
 */
import { quoteForMessage } from '../host-names.js';
import { ImportError } from './import-error.js';
import { checkGroupName, type Inventory, InventoryBuilder, meaningfulLines } from './inventory.js';

const ADDRESS_ATTRIBUTES = new Set(['ip', 'addr']);

function substitute(value: string, node: string): string {
  return value.replace(/%[n%]/g, (m) => (m === '%n' ? node : '%'));
}

export function parseGenders(text: string): Inventory {
  const builder = new InventoryBuilder();
  for (const { line, text: content } of meaningfulLines(text)) {
    const fields = content.split(/\s+/);
    if (fields.length > 2) {
      throw new ImportError(line, 'expected "nodes attributes" (attributes are comma-separated, without spaces)');
    }
    const names = builder.expandNames(fields[0]!, line);
    const attributes = fields[1] === undefined ? [] : fields[1].split(',');
    // Validate the attributes once, before touching any host, so errors do not repeat per node.
    const parsed = attributes.map((attr) => {
      if (attr === '') throw new ImportError(line, 'empty attribute (stray comma?)');
      const eq = attr.indexOf('=');
      if (eq < 0) {
        checkGroupName(attr, line);
        return { key: attr, value: undefined };
      }
      const key = attr.slice(0, eq);
      const value = attr.slice(eq + 1);
      if (key === '') throw new ImportError(line, `attribute ${quoteForMessage(attr)} has no name`);
      if (value === '') throw new ImportError(line, `attribute ${quoteForMessage(key)} has an empty value`);
      return { key, value };
    });
    for (const node of names) {
      builder.host(node, line);
      for (const { key, value } of parsed) {
        if (value === undefined) builder.addGroup(node, key, line);
        else if (ADDRESS_ATTRIBUTES.has(key)) builder.setAddress(node, substitute(value, node), line);
        else builder.setLabel(node, key, substitute(value, node), line);
      }
    }
  }
  return builder.build();
}
