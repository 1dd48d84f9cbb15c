/** `corral query`: an ad-hoc GraphQL operation, variables typed by the operation's own declarations. */
import { readFileSync } from 'node:fs';
import { type DocumentNode, Kind, parse as parseGraphql, type TypeNode } from 'graphql';
import { parse } from '../lib/args.js';
import { api, type Command, output } from '../lib/command.js';
import { CliError, EXIT, UsageError } from '../lib/exit-codes.js';
import { readStdin } from '../lib/prompt.js';

/** The variable types an operation declares: name → is it a plain String/ID (so keep the text as is)? */
function stringVariables(doc: DocumentNode, operationName: string | undefined): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && def.name?.value !== operationName) continue;
    for (const v of def.variableDefinitions ?? []) {
      let t: TypeNode = v.type;
      if (t.kind === Kind.NON_NULL_TYPE) t = t.type;
      out.set(v.variable.name.value, t.kind === Kind.NAMED_TYPE && (t.name.value === 'String' || t.name.value === 'ID'));
    }
  }
  return out;
}

export const queryCommand: Command = {
  summary: 'run an ad-hoc GraphQL operation',
  help: `Usage: corral query 'GRAPHQL' [--var NAME=VALUE]… [--vars JSON] [--operation NAME]
       corral query -f FILE …      corral query - …   (operation from standard input)

Sends one query or mutation and prints the JSON data. --var values are taken as text for
String/ID variables and as JSON otherwise (numbers, booleans, lists, input objects); an enum
can be written bare (--var action=ON). Errors are printed to stderr and the exit status is 1.

Options:
  --var NAME=VALUE     a variable (repeatable)
  --vars JSON          all variables as a JSON object (--var entries override)
  -f, --file FILE      read the operation from a file
  --operation NAME     which operation of a document with several

Examples:
  corral query '{ viewer { username role } }'
  corral query 'query($n: String!) { host(name: $n) { health checks { kind status summary } } }' --var n=node07
  corral query 'query($f: Int) { hosts(first: $f) { edges { node { name } } } }' --var f=5
  corral query -f report.graphql --vars '{"groups": ["render"]}' | jq .`,
  async run(argv, ctx) {
    const { values, positionals } = parse(
      argv,
      { var: { type: 'string', multiple: true }, vars: { type: 'string' }, file: { type: 'string', short: 'f' }, operation: { type: 'string' }, json: { type: 'boolean' } },
      'query',
    );
    let source: string;
    if (values.file) {
      try {
        source = readFileSync(values.file, 'utf8');
      } catch (e) {
        throw new CliError(`cannot read ${values.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    } else if (positionals[0] === '-') source = await readStdin();
    else if (positionals[0]) source = positionals[0];
    else throw new UsageError("give the operation: corral query '{ viewer { username } }'", 'query');
    if (positionals.length > 1) throw new UsageError('give the operation as one quoted argument', 'query');

    let doc: DocumentNode;
    try {
      doc = parseGraphql(source);
    } catch (e) {
      throw new UsageError(`the operation does not parse: ${(e as Error).message.split('\n')[0]}`, 'query');
    }
    let variables: Record<string, unknown> = {};
    if (values.vars) {
      try {
        variables = JSON.parse(values.vars) as Record<string, unknown>;
      } catch {
        throw new UsageError('--vars must be a JSON object', 'query');
      }
    }
    const declared = stringVariables(doc, values.operation);
    for (const kv of values.var ?? []) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new UsageError(`--var must be NAME=VALUE (got "${kv}")`, 'query');
      const name = kv.slice(0, i).replace(/^\$/, '');
      const raw = kv.slice(i + 1);
      if (!declared.has(name)) throw new UsageError(`the operation declares no variable $${name}`, 'query');
      if (declared.get(name)) variables[name] = raw;
      else {
        try {
          variables[name] = JSON.parse(raw);
        } catch {
          variables[name] = raw; // an enum value or a plain word; the server validates it
        }
      }
    }

    const out = output({ ...values, json: true }, ctx, 'query');
    const client = api(values, ctx);
    const r = await client.raw(source, Object.keys(variables).length ? variables : undefined);
    if (r.data !== undefined && r.data !== null) out.json(r.data);
    for (const e of r.errors ?? []) {
      const where = e.path ? ` (at ${e.path.join('.')})` : '';
      const code = e.extensions?.code ? ` [${e.extensions.code}]` : '';
      ctx.stderr.write(`corral: ${e.message}${where}${code}\n`);
    }
    return r.errors?.length ? EXIT.FAILURE : EXIT.OK;
  },
};
