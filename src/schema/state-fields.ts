/**
 * Which CheckState columns an operation reads, so check states are loaded with those columns only
 * (src/core/checks/read-states.ts). Computed once per parsed document (documents are cached by the
 * server, so repeated queries cost one WeakMap lookup).
 */
import { type GraphQLResolveInfo, getNamedType, type OperationDefinitionNode, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { ALL_STATE_FIELDS, isStateField, type StateField } from '../core/checks/read-states.js';

/** GraphQL fields of CheckState that read no column beyond the ones always read (ids, kind, status). */
const FIELD_COLUMNS: Record<string, readonly StateField[]> = {
  kind: [],
  status: [],
  check: [],
  checkName: [],
  host: [],
  __typename: [],
};

const cache = new WeakMap<OperationDefinitionNode, ReadonlySet<StateField>>();

export function stateFieldsOf(info: GraphQLResolveInfo): ReadonlySet<StateField> {
  let fields = cache.get(info.operation);
  if (!fields) {
    fields = collect(info);
    cache.set(info.operation, fields);
  }
  return fields;
}

function collect(info: GraphQLResolveInfo): Set<StateField> {
  const out = new Set<StateField>();
  const typeInfo = new TypeInfo(info.schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field(node) {
      const parent = typeInfo.getParentType();
      if (!parent || getNamedType(parent).name !== 'CheckState') return;
      const name = node.name.value;
      const mapped = FIELD_COLUMNS[name];
      if (mapped) for (const f of mapped) out.add(f);
      else if (isStateField(name)) out.add(name);
      // A field added elsewhere (a plugin) may read anything.
      else for (const f of ALL_STATE_FIELDS) out.add(f);
    },
  });
  visit(info.operation, visitor);
  // Fragments are visited whole, whether or not this operation spreads them: reading a column too
  // many is harmless, one too few is not.
  for (const fragment of Object.values(info.fragments)) visit(fragment, visitor);
  return out;
}
