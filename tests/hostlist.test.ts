import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAddress, validateGroupName, validateHostName, validateLabelKey } from '../src/core/host-names.js';
import { compressHostlist, expandHostlist, HostlistError, parseHostArgs } from '../src/core/hostlist.js';

describe('validateHostName', () => {
  it.each(['n01', 'node-01', 'gpu1-ib', 'login.cluster.example.org', 'A1', '1node', `${'a'.repeat(63)}.b`])(
    'accepts %s',
    (name) => expect(validateHostName(name)).toBeNull(),
  );

  it.each([
    ['-oProxyCommand=x', "must not start with '-'"],
    ['a b', 'contains a space'],
    ['ho$t', "contains '$'"],
    ['n01;reboot', "contains ';'"],
    ['n\u000101', 'control character \\u0001'],
    ['', 'host name is empty'],
    ['x'.repeat(300), 'is 300 characters long'],
    [`${'a'.repeat(64)}.b`, 'label of 64 characters'],
    ['n01.', 'empty label'],
    ['a..b', 'empty label'],
    ['a.-b', "starting or ending with '-'"],
    ['a-.b', "starting or ending with '-'"],
    ['n01_x', "contains '_'"],
    ['10.0.0.1', 'looks like an IP address'],
    ['123', 'looks like an IP address'],
    ['0x7f.1', 'looks like an IP address'],
  ])('refuses %j', (name, message) => {
    const err = validateHostName(name);
    expect(err).not.toBeNull();
    expect(err).toContain(message);
  });

  it('names the bad value in the message, shortened when long', () => {
    expect(validateHostName('-oProxyCommand=x')).toBe("host name '-oProxyCommand=x' must not start with '-'");
    const err = validateHostName('x'.repeat(300))!;
    expect(err.length).toBeLessThan(120);
    expect(err).toContain('…');
  });
});

describe('validateAddress', () => {
  it.each(['10.0.0.1', '::1', 'fe80::1%eth0', '2001:db8::42', 'bmc-n01.example.org', 'n01'])('accepts %s', (a) =>
    expect(validateAddress(a)).toBeNull(),
  );
  it.each([
    ['', 'empty'],
    ['10.0.0.300', 'not a valid IPv4'],
    ['010.1.1.1', 'not a valid IPv4'],
    ['[::1]', 'IPv6'],
    ['10.0.0.1:22', 'IPv6'],
    ['-oProxyCommand=x', "must not start with '-'"],
    ['a b', 'contains a space'],
  ])('refuses %j', (a, message) => expect(validateAddress(a)).toContain(message));
});

describe('validateGroupName / validateLabelKey', () => {
  it('accepts ordinary names and refuses others with the reason', () => {
    expect(validateGroupName('render')).toBeNull();
    expect(validateGroupName('gpu_a100.v2-x')).toBeNull();
    expect(validateGroupName('-x')).toContain('must start with a letter or digit');
    expect(validateGroupName('a b')).toContain('contains a space');
    expect(validateGroupName('@render')).toContain('must start with');
    expect(validateGroupName('g'.repeat(65))).toContain('at most 64');
    expect(validateGroupName('')).toBe('group name is empty');
    expect(validateLabelKey('topology/rack')).toBeNull();
    expect(validateLabelKey('__proto__')).not.toBeNull();
  });
});

describe('expandHostlist', () => {
  it('passes a single name through and trims whitespace', () => {
    expect(expandHostlist('  n01 ')).toEqual(['n01']);
  });

  it('keeps zero padding from the lower bound', () => {
    expect(expandHostlist('node[01-03,10]')).toEqual(['node01', 'node02', 'node03', 'node10']);
    expect(expandHostlist('n[8-11]')).toEqual(['n8', 'n9', 'n10', 'n11']);
    expect(expandHostlist('n[098-101]')).toEqual(['n098', 'n099', 'n100', 'n101']);
    expect(expandHostlist('node[01-16,20]')).toHaveLength(17);
    expect(expandHostlist('node[01-16,20]').at(-2)).toBe('node16');
  });

  it('handles a suffix after the brackets', () => {
    expect(expandHostlist('gpu[1-4]-ib')).toEqual(['gpu1-ib', 'gpu2-ib', 'gpu3-ib', 'gpu4-ib']);
  });

  it('expands several bracket groups as a cartesian product, left group slowest', () => {
    expect(expandHostlist('rack[1-2]-n[01-02]')).toEqual(['rack1-n01', 'rack1-n02', 'rack2-n01', 'rack2-n02']);
  });

  it('splits top-level commas but not commas inside brackets', () => {
    expect(expandHostlist('n[1-2],m3, x[5,7]')).toEqual(['n1', 'n2', 'm3', 'x5', 'x7']);
  });

  it('accepts spaces inside brackets', () => {
    expect(expandHostlist('n[1 - 2, 4]')).toEqual(['n1', 'n2', 'n4']);
  });

  it.each([
    ['n[5-1]', "descending range '5-1'"],
    ['n[a-c]', "invalid range 'a-c'"],
    ['n[1-]', "invalid range '1-'"],
    ['n[]', 'empty brackets'],
    ['n[1-2', "unmatched '['"],
    ['n1-2]', "unmatched ']'"],
    ['n[1[2]]', "nested '['"],
    ['', 'hostlist is empty'],
    ['   ', 'hostlist is empty'],
    ['n1,,n2', 'empty entry'],
    ['n1,', 'empty entry'],
    ['n[1-1234567890123456]', 'longer than 15 digits'],
  ])('refuses %j with a readable HostlistError', (expr, message) => {
    expect(() => expandHostlist(expr)).toThrow(HostlistError);
    expect(() => expandHostlist(expr)).toThrow(message);
  });

  it('refuses expansions over the cap before allocating them', () => {
    expect(() => expandHostlist('n[1-100001]')).toThrow("hostlist 'n[1-100001]' expands to more than 100000 names");
    expect(() => expandHostlist('a[1-1000]-b[1-1000]-c[1-1000]')).toThrow('more than 100000');
    expect(() => expandHostlist('n[1-5],m[1-6]', { max: 10 })).toThrow('more than 10 names');
    expect(expandHostlist('n[1-5],m[1-5]', { max: 10 })).toHaveLength(10);
    expect(expandHostlist('n[1-100000]')).toHaveLength(100_000);
  });
});

describe('compressHostlist', () => {
  it('groups consecutive numbers into ranges keeping the width', () => {
    expect(compressHostlist(['n01', 'n02', 'n03', 'n05'])).toBe('n[01-03,05]');
    expect(compressHostlist(['n9', 'n10', 'n11'])).toBe('n[9-11]');
    expect(compressHostlist(['gpu1-ib', 'gpu2-ib', 'gpu3-ib'])).toBe('gpu[1-3]-ib');
  });

  it('sorts numerically, drops duplicates, keeps groups in order of first appearance', () => {
    expect(compressHostlist(['n3', 'login', 'n1', 'm7', 'n2', 'n1'])).toBe('n[1-3],login,m7');
  });

  it('leaves single names alone and returns an empty string for no names', () => {
    expect(compressHostlist(['n01'])).toBe('n01');
    expect(compressHostlist(['n01', 'm01'])).toBe('n01,m01');
    expect(compressHostlist([])).toBe('');
  });

  it('keeps names that differ only in padding distinct', () => {
    const names = ['n1', 'n01', 'n2'];
    const compressed = compressHostlist(names);
    expect(new Set(expandHostlist(compressed))).toEqual(new Set(names));
  });

  it('refuses names that could not round-trip', () => {
    expect(() => compressHostlist(['n[1]'])).toThrow(HostlistError);
    expect(() => compressHostlist(['a,b'])).toThrow(HostlistError);
    expect(() => compressHostlist([''])).toThrow(HostlistError);
  });

  it.each(['n[01-03,05]', 'node[001-100]', 'gpu[1-4]-ib', 'n[8-12,20,098-101]', 'login1', 'n[1-3],m[7-9]'])(
    'compress(expand(%s)) gives the expression back',
    (expr) => expect(compressHostlist(expandHostlist(expr))).toBe(expr),
  );

  it('round-trips multi-group expressions as sets', () => {
    const names = expandHostlist('rack[1-3]-n[01-04]');
    expect(compressHostlist(names)).toBe('rack1-n[01-04],rack2-n[01-04],rack3-n[01-04]');
    expect(expandHostlist(compressHostlist(names))).toEqual(names);
  });

  it('property: expand(compress(names)) is the same set of names', () => {
    const label = fc.stringMatching(/^[a-z]{1,4}(-[a-z]{1,3})?$/);
    const name = fc
      .record({
        prefix: fc.constantFrom('n', 'node', 'gpu', 'rack1-n', 'r2.n'),
        // Mostly small values, so runs, collisions and mixed paddings (n9, n09, n10) are common.
        value: fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 90, max: 110 }), fc.integer({ min: 0, max: 1200 })),
        width: fc.integer({ min: 1, max: 4 }),
        suffix: fc.constantFrom('', '-ib', '.ipmi', 'x'),
      })
      .map(({ prefix, value, width, suffix }) => `${prefix}${String(value).padStart(width, '0')}${suffix}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(name, name, label), { maxLength: 80 }), (names) => {
        const compressed = compressHostlist(names);
        const back = names.length === 0 ? [] : expandHostlist(compressed);
        expect(back).toHaveLength(new Set(names).size); // no duplicates, nothing extra
        expect(new Set(back)).toEqual(new Set(names));
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseHostArgs', () => {
  it('expands names and ranges, collects @groups, de-duplicates in order', () => {
    expect(parseHostArgs(['n[01-03]', 'n02', '@render', 'login1', '@render', 'n[1-2],@gpu'])).toEqual({
      names: ['n01', 'n02', 'n03', 'login1', 'n1', 'n2'],
      groups: ['render', 'gpu'],
    });
  });

  it('returns empty lists for no arguments', () => {
    expect(parseHostArgs([])).toEqual({ names: [], groups: [] });
  });

  it.each([
    [['n01', '-oProxyCommand=x'], "host name '-oProxyCommand=x' must not start with '-'"],
    [['a b'], "host name 'a b' contains a space"],
    [['ho$t'], "host name 'ho$t' contains '$'"],
    [['x'.repeat(300)], 'is 300 characters long'],
    [[''], 'empty host argument'],
    [['@'], 'group name is empty'],
    [['@bad group'], "group name 'bad group' contains a space"],
    [['n[1-3]', 'n[5-4]'], 'descending range'],
    [['-n[1-2]'], "host name '-n1' must not start with '-'"],
  ])('refuses %j naming the bad value', (args, message) => {
    expect(() => parseHostArgs(args)).toThrow(HostlistError);
    expect(() => parseHostArgs(args)).toThrow(message);
  });

  it('caps the total expansion across arguments', () => {
    expect(() => parseHostArgs(['n[1-6]', 'm[1-6]'], { max: 10 })).toThrow('host arguments expand to more than 10 names');
    expect(parseHostArgs(['n[1-5]', 'm[1-5]'], { max: 10 }).names).toHaveLength(10);
  });
});
