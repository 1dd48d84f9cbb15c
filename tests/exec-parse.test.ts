import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgvTemplateError, compileArgvTemplate, renderArgv } from '../src/plugins/exec/argv-template.js';
import { parsePerfdata, perfdataToMetrics, splitPluginOutput } from '../src/plugins/exec/perfdata.js';

const host = (labels: Record<string, string> = {}, address: string | null = '10.0.0.5') => ({
  id: 'h1',
  name: 'node01',
  address,
  labels,
  settings: undefined,
});

describe('Nagios plugin output', () => {
  it('splits summary, long text and perfdata across lines', () => {
    const out = splitPluginOutput("DISK OK - free 78% | /=239B;10;20;0;300\nline two\nline three | 'x y'=1\nz=2\n");
    expect(out.summary).toBe('DISK OK - free 78%');
    expect(out.longText).toBe('line two\nline three');
    expect(parsePerfdata(out.perfdata).map((d) => d.label)).toEqual(['/', 'x y', 'z']);
  });

  it('parses values, units, thresholds, min and max', () => {
    expect(parsePerfdata("/=23918018560B;243497277849;257024904396;0;270552530944 'time taken'=0.5s;1;2;; load1=0,75")).toEqual([
      { label: '/', value: 23918018560, uom: 'B', warn: '243497277849', crit: '257024904396', min: 0, max: 270552530944 },
      { label: 'time taken', value: 0.5, uom: 's', warn: '1', crit: '2' },
      { label: 'load1', value: 0.75, uom: '' },
    ]);
  });

  it("unquotes labels with spaces and doubled quotes ('it''s')", () => {
    expect(parsePerfdata("'it''s here'=3% 'a=b'=-1.5e2ms")).toEqual([
      { label: "it's here", value: 3, uom: '%' },
      { label: 'a=b', value: -150, uom: 'ms' },
    ]);
  });

  it('skips garbage and unknown values but keeps the good items around them', () => {
    const data = parsePerfdata("junk =5 a=U b=1 c==2 d=abc ;;; e=3;;;x;y 'unterminated=4");
    expect(perfdataToMetrics(data)).toEqual({ b: 1, e: 3 });
  });

  it('keeps awkward labels as plain metric keys', () => {
    const m = perfdataToMetrics(parsePerfdata('__proto__=1 constructor=2 toString=3'));
    expect(Object.keys(m)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(m.constructor).toBe(2);
  });

  it('never throws and stays bounded on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const data = parsePerfdata(s, 10);
        expect(data.length).toBeLessThanOrEqual(10);
        for (const d of data) expect(Number.isFinite(d.value)).toBe(true);
        splitPluginOutput(s);
      }),
    );
  });
});

describe('argv templates', () => {
  it('fills host, address, id and labels', () => {
    const t = compileArgvTemplate(['-H', '{address}', '--name={host}', 'rack={label:rack}', '{id}']);
    expect(renderArgv(t, host({ rack: 'r2' }))).toEqual({
      ok: true,
      argv: ['-H', '10.0.0.5', '--name=node01', 'rack=r2', 'h1'],
    });
    const r = renderArgv(t, host({ rack: 'r2' }, null));
    expect(r.ok && r.argv.slice(0, 2)).toEqual(['-H', 'node01']);
  });

  it('refuses placeholders glued to a short option, and unknown placeholders, when defined', () => {
    expect(() => compileArgvTemplate(['-H{address}'])).toThrow(ArgvTemplateError);
    expect(() => compileArgvTemplate(['-v{label:x}'])).toThrow(/may only follow "--name="/);
    expect(() => compileArgvTemplate(['--{label:x}=1'])).toThrow(/may only follow "--name="/);
    expect(() => compileArgvTemplate(['{hostname}'])).toThrow(/unknown placeholder \{hostname\}/);
    expect(() => compileArgvTemplate(['{label:}'])).toThrow(/unknown placeholder/);
    expect(() => compileArgvTemplate(['-w', '80%', '--host={address}', 'x{host}'])).not.toThrow();
  });

  it('refuses a host whose value would become an option', () => {
    const t = compileArgvTemplate(['{label:role}']);
    expect(renderArgv(t, host({ role: '-rf' }))).toEqual({
      ok: false,
      error: 'label "role" gives the argument "-rf", which starts with "-" and would be read as an option; refused',
    });
    // An empty first value must not let a literal dash after it through either.
    expect(renderArgv(compileArgvTemplate(['{label:a}-x']), host({ a: '' })).ok).toBe(false);
    // After "--name=" a leading dash is data.
    expect(renderArgv(compileArgvTemplate(['--role={label:role}']), host({ role: '-rf' }))).toEqual({
      ok: true,
      argv: ['--role=-rf'],
    });
  });

  it('refuses a missing label', () => {
    expect(renderArgv(compileArgvTemplate(['{label:rack}']), host())).toEqual({
      ok: false,
      error: 'label "rack" is not set on this host',
    });
  });

  it('no label value ever yields an argument starting with "-" outside a literal option', () => {
    const t = compileArgvTemplate(['{label:a}', 'x', '{label:a}{label:b}', 'pre{label:a}', '-w', '--k={label:b}']);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const r = renderArgv(t, host({ a, b }));
        if (!r.ok) return;
        const [first, , both] = r.argv;
        expect(first?.startsWith('-')).toBe(false);
        expect(both?.startsWith('-')).toBe(false);
      }),
    );
  });
});
