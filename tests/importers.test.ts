import { describe, expect, it } from 'vitest';
import { readCsv } from '../src/core/importers/csv.js';
import { ImportError } from '../src/core/importers/import-error.js';
import { parseInventory } from '../src/core/importers/parse-inventory.js';

/** Runs a parse expected to fail and returns the ImportError, so line and message can both be checked. */
function importError(run: () => unknown): ImportError {
  try {
    run();
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error('expected an ImportError, but the text was accepted');
}

describe('genders', () => {
  const text = [
    '# cluster nodes',
    'node[01-03]  compute,rack=r1,addr=%n.ib.cluster   # trailing comment',
    '',
    'node03       gpu,gpus=4',
    'login1,login2 login,addr=%n.example.org',
    'spare',
  ].join('\n');

  it('maps bare attributes to groups, ip/addr to the address and key=value to labels', () => {
    const { hosts } = parseInventory('GENDERS', text);
    expect(hosts.map((h) => h.name)).toEqual(['node01', 'node02', 'node03', 'login1', 'login2', 'spare']);
    expect(hosts[0]).toEqual({ name: 'node01', address: 'node01.ib.cluster', labels: { rack: 'r1' }, groups: ['compute'] });
    expect(hosts[3]).toEqual({ name: 'login1', address: 'login1.example.org', labels: {}, groups: ['login'] });
    expect(hosts[5]).toEqual({ name: 'spare', labels: {}, groups: [] });
  });

  it('merges several lines for the same host', () => {
    const { hosts } = parseInventory('GENDERS', 'n1 compute,rack=r1\nn1 gpu,gpus=2\nn1 compute,rack=r1');
    expect(hosts).toEqual([{ name: 'n1', labels: { rack: 'r1', gpus: '2' }, groups: ['compute', 'gpu'] }]);
  });

  it('uses ip= literally when it has no %n', () => {
    const { hosts } = parseInventory('GENDERS', 'n1 ip=10.1.2.3\nn2 ip=fe80::2');
    expect(hosts.map((h) => h.address)).toEqual(['10.1.2.3', 'fe80::2']);
  });

  it('substitutes %n with the node name and %% with a percent sign in values', () => {
    expect(parseInventory('GENDERS', 'n[1-2] note=100%%,tag=x-%n').hosts.map((h) => h.labels)).toEqual([
      { note: '100%', tag: 'x-n1' },
      { note: '100%', tag: 'x-n2' },
    ]);
  });

  it('handles CRLF line endings', () => {
    expect(parseInventory('GENDERS', 'n1 a\r\nn2 b\r\n').hosts.map((h) => h.groups)).toEqual([['a'], ['b']]);
  });

  it.each([
    ['n1 compute\nn2 compute\n-oProxyCommand=x compute\nn4', 3, "host name '-oProxyCommand=x' must not start with '-'"],
    ['n1 a\n\n# c\nho$t a', 4, "contains '$'"],
    ['n1 compute rack=r1', 1, 'attributes are comma-separated'],
    ['n1 a,,b', 1, 'empty attribute'],
    ['n1 rack=', 1, "attribute 'rack' has an empty value"],
    ['n1 =x', 1, 'has no name'],
    ['n1 bad$group', 1, "group name 'bad$group'"],
    ['n1 ip=bmc-%n-', 1, "address 'bmc-n1-'"],
    ['n1 ip=10.0.0.1\nn1 ip=10.0.0.2', 2, "gets address '10.0.0.2' but line 1 gave it '10.0.0.1'"],
    ['n1 rack=r1\nn[1-2] rack=r2', 2, "label rack='r2' but line 1 gave rack='r1'"],
    ['n[3-1] a', 1, 'descending range'],
    ['n[1-200000] a', 1, 'more than 100000'],
  ])('refuses a bad line as a whole: %j', (input, line, message) => {
    const err = importError(() => parseInventory('GENDERS', input));
    expect(err.line).toBe(line);
    expect(err.message).toContain(`line ${line}: `);
    expect(err.message).toContain(message);
  });
});

describe('pdsh / ClusterShell groups', () => {
  it('reads [group] sections and "group: members" lines, merging memberships', () => {
    const text = [
      '# dsh groups',
      '[render]',
      'node[01-02]',
      'gpu1 gpu2',
      'compute: node[01-03],login1  gpu[2-3]',
      '',
      '[empty]',
      '[gpu]',
      'gpu[1-3]',
    ].join('\n');
    const { hosts } = parseInventory('PDSH', text);
    const byName = Object.fromEntries(hosts.map((h) => [h.name, h.groups]));
    expect(byName).toEqual({
      node01: ['render', 'compute'],
      node02: ['render', 'compute'],
      gpu1: ['render', 'gpu'],
      gpu2: ['render', 'compute', 'gpu'],
      node03: ['compute'],
      login1: ['compute'],
      gpu3: ['compute', 'gpu'],
    });
    expect(hosts.every((h) => h.address === undefined && Object.keys(h.labels).length === 0)).toBe(true);
  });

  it.each([
    ['node1\n[a]\nnode2', 1, 'outside a [group] section'],
    ['[a]\nn1\n[bad group]\nn2', 3, "group name 'bad group'"],
    ['[a]\nn1\nn2 -x', 3, "must not start with '-'"],
    ['[]\nn1', 1, 'group name is empty'],
    ['g: n1 @other', 1, "group references such as '@other'"],
    ['[a]\nn[1-2\n', 2, "unmatched '['"],
  ])('refuses %j at the right line', (input, line, message) => {
    const err = importError(() => parseInventory('PDSH', input));
    expect(err.line).toBe(line);
    expect(err.message).toContain(message);
  });
});

describe('CSV', () => {
  it('reads RFC 4180 records: quotes, doubled quotes, commas and newlines in quoted fields', () => {
    expect(readCsv('a,"b,c","say ""hi""",\r\n"multi\nline",x,,""\n\n')).toEqual([
      { line: 1, fields: ['a', 'b,c', 'say "hi"', ''] },
      { line: 2, fields: ['multi\nline', 'x', '', ''] },
    ]);
    expect(readCsv('\uFEFFname\nn1')).toEqual([
      { line: 1, fields: ['name'] },
      { line: 2, fields: ['n1'] },
    ]);
  });

  it('maps columns in any order and case, groups by ; or space, labels as k=v;k=v', () => {
    const text = [
      'Labels,NAME,groups,address',
      '"rack=r1; room=b 12",n01,compute;gpu,10.0.0.1',
      ',n02,"compute render",',
      ',,,',
      'env=prod,node[03-04],compute,',
    ].join('\n');
    expect(parseInventory('CSV', text).hosts).toEqual([
      { name: 'n01', address: '10.0.0.1', labels: { rack: 'r1', room: 'b 12' }, groups: ['compute', 'gpu'] },
      { name: 'n02', labels: {}, groups: ['compute', 'render'] },
      { name: 'node03', labels: { env: 'prod' }, groups: ['compute'] },
      { name: 'node04', labels: { env: 'prod' }, groups: ['compute'] },
    ]);
  });

  it('needs only the name column', () => {
    expect(parseInventory('CSV', 'name\nn1\nn2\n').hosts.map((h) => h.name)).toEqual(['n1', 'n2']);
  });

  it.each([
    ['', 1, 'missing header'],
    ['address\n10.0.0.1', 1, "no 'name' column"],
    ['name,adress\nn1,x', 1, "unknown column 'adress'"],
    ['name,name\nn1,n2', 1, "column 'name' appears twice"],
    ['name,address\nn1,10.0.0.1\nn2', 3, '1 fields but the header has 2'],
    ['name,address\nn1,10.0.0.1\n"a b",', 3, "host name 'a b' contains a space"],
    ['name,address\nn1,-oProxyCommand=x', 2, "must not start with '-'"],
    ['name,address\nn1,10.0.0.300', 2, 'not a valid IPv4'],
    ['name,address\nn[1-2],10.0.0.1', 2, 'cannot share one address'],
    ['name,groups\nn1,ok;bad$', 2, "group name 'bad$'"],
    ['name,labels\nn1,rack', 2, "label 'rack' is not key=value"],
    ['name,labels\nn1,=x', 2, 'label key is empty'],
    ['name\nn1\n,\n"n2', 4, 'quoted field is never closed'],
    ['name\n"n1"x', 2, 'after a closing quote'],
    ['name\nn"1', 2, 'quote inside an unquoted field'],
    ['name,address\n"",10.0.0.1', 2, 'name is empty'],
  ])('refuses %j at the right line', (input, line, message) => {
    const err = importError(() => parseInventory('CSV', input));
    expect(err.line).toBe(line);
    expect(err.message).toContain(message);
  });

  it('counts lines inside quoted fields when reporting later errors', () => {
    const err = importError(() => parseInventory('CSV', 'name,labels\nn1,"a=1;\nb=2"\n"bad host",'));
    expect(err.line).toBe(4);
  });
});

describe('parseInventory', () => {
  it('returns nothing partial: an error anywhere means no hosts at all', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `n${i + 1} compute`);
    lines.push('n$ compute');
    const err = importError(() => parseInventory('GENDERS', lines.join('\n')));
    expect(err.line).toBe(51);
    expect(err).toBeInstanceOf(Error);
  });

  it('refuses an unknown format', () => {
    expect(() => parseInventory('YAML' as never, 'x')).toThrow('unknown inventory format YAML');
  });
});
