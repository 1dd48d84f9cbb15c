/**
 * CSV inventories (RFC 4180: ',' separated, '"' quoted, '""' for a quote, quoted fields may span lines).
 * A header row is required; its columns, in any order and any case: `name` (required), `address`,
 * `groups` (separated by ';' or spaces), `labels` (`key=value;key=value`). Unknown columns are an
 * error, so a typo in the header is not silently ignored. `name` may be a hostlist range
 * (`node[01-04]`) when the row has no address. Blank lines are skipped.
 */
import { quoteForMessage } from '../host-names.js';
import { ImportError } from './import-error.js';
import { type Inventory, InventoryBuilder } from './inventory.js';

interface CsvRecord {
  /** Line on which the record starts. */
  line: number;
  fields: string[];
}

/** A small RFC 4180 reader; records made of one empty field (blank lines) are dropped. */
export function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  const endRecord = (): void => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new ImportError(quoteLine, 'quoted field is never closed');
        const q = text[i]!;
        if (q === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (q === '"') {
          i++;
          break;
        } else {
          if (q === '\n') line++;
          field += q;
          i++;
        }
      }
      const after = text[i];
      if (after !== undefined && after !== ',' && after !== '\n' && after !== '\r') {
        throw new ImportError(line, 'unexpected text after a closing quote (a quote inside a field must be doubled)');
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (c === '"') {
      throw new ImportError(line, 'a quote inside an unquoted field (quote the whole field and double the quote)');
    } else {
      field += c;
    }
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

const COLUMNS = ['name', 'address', 'groups', 'labels'] as const;
type Column = (typeof COLUMNS)[number];

export function parseCsvInventory(text: string): Inventory {
  // Rows of only empty cells (a spreadsheet's trailing ",,,") count as blank lines.
  const records = readCsv(text).filter((r) => r.fields.some((f) => f.trim() !== ''));
  const header = records.shift();
  if (!header) throw new ImportError(1, 'missing header row (name,address,groups,labels)');
  const index = new Map<Column, number>();
  header.fields.forEach((raw, i) => {
    const col = raw.trim().toLowerCase();
    if (!(COLUMNS as readonly string[]).includes(col)) {
      throw new ImportError(header.line, `unknown column ${quoteForMessage(raw)} (expected ${COLUMNS.join(', ')})`);
    }
    if (index.has(col as Column)) throw new ImportError(header.line, `column ${quoteForMessage(col)} appears twice`);
    index.set(col as Column, i);
  });
  if (!index.has('name')) throw new ImportError(header.line, "header has no 'name' column");

  const builder = new InventoryBuilder();
  for (const { line, fields } of records) {
    if (fields.length !== header.fields.length) {
      throw new ImportError(line, `${fields.length} fields but the header has ${header.fields.length}`);
    }
    const cell = (col: Column): string => {
      const i = index.get(col);
      return i === undefined ? '' : fields[i]!.trim();
    };
    const nameExpr = cell('name');
    if (nameExpr === '') throw new ImportError(line, 'name is empty');
    const names = builder.expandNames(nameExpr, line);
    const address = cell('address');
    if (address !== '' && names.length > 1) {
      throw new ImportError(line, `name ${quoteForMessage(nameExpr)} is a range of ${names.length} hosts, which cannot share one address`);
    }
    const groups = cell('groups').split(/[;\s]+/).filter((g) => g !== '');
    const labels = cell('labels')
      .split(';')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) throw new ImportError(line, `label ${quoteForMessage(pair)} is not key=value`);
        return { key: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
      });
    for (const name of names) {
      builder.host(name, line);
      if (address !== '') builder.setAddress(name, address, line);
      for (const group of groups) builder.addGroup(name, group, line);
      for (const { key, value } of labels) builder.setLabel(name, key, value, line);
    }
  }
  return builder.build();
}
