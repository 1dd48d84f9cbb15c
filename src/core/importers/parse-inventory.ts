/** One entry point for `importHosts(format, text)`: dispatch by format through a map, not a switch. */
import { parseCsvInventory } from './csv.js';
import { parseGenders } from './genders.js';
import type { Inventory } from './inventory.js';
import { parsePdshGroups } from './pdsh.js';

export const INVENTORY_FORMATS = ['GENDERS', 'PDSH', 'CSV'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

const PARSERS: Record<InventoryFormat, (text: string) => Inventory> = {
  GENDERS: parseGenders,
  PDSH: parsePdshGroups,
  CSV: parseCsvInventory,
};

/** Parses the whole text or throws ImportError (with `line`) on the first bad line; never a partial result. */
export function parseInventory(format: InventoryFormat, text: string): Inventory {
  const parse = PARSERS[format];
  if (!parse) throw new Error(`unknown inventory format ${String(format)}`);
  return parse(text);
}
