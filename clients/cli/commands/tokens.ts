/** `corral tokens …`: API tokens for scripts (the secret is shown once). */
import { enumArg, FORMAT_OPTIONS, intOption, list, parse, requireArg } from '../lib/args.js';
import { unwrap } from '../lib/api.js';
import { api, type Command, output } from '../lib/command.js';
import { age } from '../lib/output.js';

interface Token {
  id: string;
  name: string;
  kind: string;
  role: string | null;
  groups: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
const TOKEN_FIELDS = 'id name kind role groups createdAt expiresAt lastUsedAt revokedAt';

export const tokensCommand: Command = {
  summary: 'create, list and revoke API tokens',
  help: `Usage: corral tokens SUBCOMMAND …

API tokens let scripts and CI act with at most your role (optionally less, or fewer groups).`,
  subcommands: {
    list: {
      summary: 'list your tokens (admins: --all)',
      help: `Usage: corral tokens list [--all] [--json | --csv]

Examples:
  corral tokens list
  corral tokens list --all --csv`,
      async run(argv, ctx) {
        const { values } = parse(argv, { ...FORMAT_OPTIONS, all: { type: 'boolean' } }, 'tokens list');
        const data = await api(values, ctx).request<{ apiTokens: Token[] }>(`query($a: Boolean) { apiTokens(all: $a) { ${TOKEN_FIELDS} } }`, { a: values.all });
        output(values, ctx, 'tokens list').table(
          [
            { header: 'ID', value: (t) => t.id },
            { header: 'NAME', value: (t) => t.name },
            { header: 'KIND', value: (t) => t.kind.toLowerCase() },
            { header: 'ROLE', value: (t) => t.role?.toLowerCase() ?? '(owner)' },
            { header: 'GROUPS', value: (t) => t.groups?.join(',') ?? '' },
            { header: 'EXPIRES', value: (t) => t.expiresAt ?? 'never' },
            { header: 'LAST USED', value: (t) => age(t.lastUsedAt) },
            { header: 'REVOKED', value: (t) => (t.revokedAt ? 'yes' : ''), colour: (t) => (t.revokedAt ? 'red' : undefined) },
          ],
          data.apiTokens,
        );
      },
    },
    create: {
      summary: 'create a token (printed once)',
      help: `Usage: corral tokens create NAME [--role viewer|operator|admin] [--group G]… [--expires-days N] [--json]

Prints the secret once; store it now. Plain output is just the token, so it can be piped.

Examples:
  corral tokens create grafana --role viewer
  corral tokens create render-bot --role operator --group render --expires-days 90 --json`,
      async run(argv, ctx) {
        const { values, positionals } = parse(
          argv,
          { ...FORMAT_OPTIONS, role: { type: 'string' }, group: { type: 'string', short: 'g', multiple: true }, 'expires-days': { type: 'string' } },
          'tokens create',
        );
        const name = requireArg(positionals[0], 'NAME', 'tokens create');
        const data = await api(values, ctx).request(
          `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { __typename ... on CreatedApiToken { token apiToken { ${TOKEN_FIELDS} } } ... on Error { message } } }`,
          {
            i: {
              name,
              role: values.role ? enumArg(values.role, ['viewer', 'operator', 'admin'], '--role', 'tokens create') : undefined,
              groups: list(values.group),
              expiresInDays: intOption(values['expires-days'], 'expires-days', 'tokens create'),
            },
          },
        );
        const r = unwrap(data.createApiToken, `cannot create token ${name}`) as { token: string; apiToken: Token };
        const out = output(values, ctx, 'tokens create');
        if (out.format === 'json') out.json({ token: r.token, ...r.apiToken });
        else {
          out.line(r.token);
          if (out.tty) out.note(`Token ${r.apiToken.name} (${r.apiToken.id}) created; this is the only time it is shown.`);
        }
      },
    },
    revoke: {
      summary: 'revoke a token by id',
      help: `Usage: corral tokens revoke ID

Examples:
  corral tokens revoke $(corral tokens list --json | jq -r '.[] | select(.name=="grafana") | .id')`,
      async run(argv, ctx) {
        const { values, positionals } = parse(argv, { ...FORMAT_OPTIONS }, 'tokens revoke');
        const id = requireArg(positionals[0], 'ID', 'tokens revoke');
        const data = await api(values, ctx).request(
          `mutation($id: ID!) { revokeApiToken(id: $id) { __typename ... on ApiToken { ${TOKEN_FIELDS} } ... on Error { message } } }`,
          { id },
        );
        const r = unwrap(data.revokeApiToken, `cannot revoke ${id}`) as Token;
        const out = output(values, ctx, 'tokens revoke');
        if (out.format === 'json') out.json(r);
        else out.line(`Revoked ${r.name} (${r.id})`);
      },
    },
  },
};
