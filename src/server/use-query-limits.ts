/**
 * GraphQL limits as a yoga plugin: document size and token count at parse time; depth (introspection
 * excluded, it is costed instead) and aliases at validation; field suggestions stripped from errors.
 * Cost is the complexity plugin's job (see schema/builder.ts).
 */
import {
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { MAX_ALIASES, MAX_DEPTH, MAX_DOCUMENT_CHARS, MAX_TOKENS } from '../schema/limits.js';

function depthOf(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue; // introspection: costed, not depth-limited
      max = Math.max(max, 1 + depthOf(sel.selectionSet, fragments, seen));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      const frag = fragments[name];
      if (frag) max = Math.max(max, depthOf(frag.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

function limitsRule(context: ValidationContext): ASTVisitor {
  const doc = context.getDocument();
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  let aliases = 0;
  return {
    Field(node: FieldNode) {
      if (node.alias) {
        aliases++;
        if (aliases === MAX_ALIASES + 1) context.reportError(new GraphQLError(`too many aliases: at most ${MAX_ALIASES} per request`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
      }
    },
    OperationDefinition(op: OperationDefinitionNode) {
      const depth = depthOf(op.selectionSet, fragments, new Set());
      if (depth > MAX_DEPTH) context.reportError(new GraphQLError(`query too deep: depth ${depth} exceeds the limit of ${MAX_DEPTH}`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
      if (op.operation === 'mutation') {
        // Each mutation field at most once per request: no aliasing one dangerous action N times.
        const counts = new Map<string, number>();
        for (const sel of op.selectionSet.selections) {
          if (sel.kind !== Kind.FIELD) continue;
          const n = (counts.get(sel.name.value) ?? 0) + 1;
          counts.set(sel.name.value, n);
          if (n === 2) context.reportError(new GraphQLError(`mutation field ${sel.name.value} may appear only once per request`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
        }
      }
    },
  };
}

export function useQueryLimits(): Plugin {
  return {
    onParse({ params, setParseFn }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (source.length > MAX_DOCUMENT_CHARS) {
        throw new GraphQLError(`document too large: ${source.length} characters exceeds the limit of ${MAX_DOCUMENT_CHARS}`, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
      }
      setParseFn((src, opts) => parse(src, { ...opts, maxTokens: MAX_TOKENS }));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(limitsRule);
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        // No schema discovery through "Did you mean …?" hints.
        setResult(result.map((e) => (/Did you mean/.test(e.message) ? new GraphQLError(e.message.replace(/ ?Did you mean.*$/s, ''), { nodes: e.nodes, extensions: e.extensions }) : e)));
      };
    },
  };
}
