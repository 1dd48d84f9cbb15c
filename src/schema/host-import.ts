/** importHosts(format, text): genders, pdsh group files and CSV, all or nothing. */
import { writeAudit } from '../core/audit.js';
import { INVENTORY_FORMATS } from '../core/importers/parse-inventory.js';
import { publishHostsUpdated } from '../core/inventory/events.js';
import { ImportLineError, importHosts } from '../core/inventory/import-hosts.js';
import { builder } from './builder.js';
import { ErrorInterface, INPUT_ERRORS } from './errors.js';

const ImportFormat = builder.enumType('ImportFormat', { values: INVENTORY_FORMATS });

builder.objectType(ImportLineError, {
  name: 'ImportLineError',
  description: 'A line of the imported text is invalid; nothing was imported.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ line: t.exposeInt('line') }),
});

const ImportHostsSuccess = builder.objectRef<{ created: string[]; updated: string[]; groups: string[] }>('ImportHostsSuccess').implement({
  fields: (t) => ({
    created: t.exposeStringList('created'),
    updated: t.exposeStringList('updated'),
    groups: t.exposeStringList('groups'),
    count: t.int({ resolve: (r) => r.created.length + r.updated.length }),
  }),
});

builder.mutationField('importHosts', (t) =>
  t.field({
    type: ImportHostsSuccess,
    authScopes: { admin: true },
    errors: { types: [ImportLineError, ...INPUT_ERRORS], union: { name: 'ImportHostsResult' } },
    args: { format: t.arg({ type: ImportFormat, required: true }), text: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await importHosts(ctx.app.db, args.format, args.text);
      await writeAudit(ctx.app.db, ctx.app.pubsub, {
        principal: ctx.principal,
        action: 'host.import',
        targets: [...result.created, ...result.updated].slice(0, 1000),
        outcome: 'OK',
        details: { format: args.format, created: result.created.length, updated: result.updated.length, groups: result.groups },
        requestId: ctx.requestId,
      });
      if (result.hostIds.length <= 1000) await publishHostsUpdated(ctx.app.db, ctx.app.pubsub, result.hostIds);
      return result;
    },
  }),
);
