import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  NoSchemaIntrospectionCustomRule,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
  visit,
} from "graphql";
import { LRUCache } from "lru-cache";
import { ErrorCode } from "../domain/errors.js";
import { LIMITS } from "../domain/limits.js";

/** What one operation may be, on every transport (QUERY_MAX_* in the environment). */
export interface QueryLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** graphql-armor's cost (objects 2, scalars 1, ×1.5 per level, × `first` of a list), with variables counted. */
  maxCost: number;
}

const refused = (message: string) =>
  new GraphQLError(message.replace(/^Syntax Error: /, ""), { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });

const MAX_COSTS_PER_DOCUMENT = 16;

const pageSizeNames = new WeakMap<DocumentNode, string[]>();

/** The values of the variables that `first`/`last` arguments name, in document order (names found once per document). */
function pageSizeVariables(document: DocumentNode, variables: Record<string, unknown> | undefined): unknown[] {
  let names = pageSizeNames.get(document);
  if (!names) {
    const found: string[] = [];
    visit(document, {
      Argument(node) {
        if ((node.name.value === "first" || node.name.value === "last") && node.value.kind === Kind.VARIABLE) found.push(node.value.name.value);
      },
    });
    pageSizeNames.set(document, (names = found));
  }
  return names.map((n) => variables?.[n] ?? null);
}

/**
 * `first`/`last` given as variables, written into the document as literals: graphql-armor's
 * cost rule reads list sizes from literals only, and a page size is the cost that matters.
 */
function withPageSizes(document: DocumentNode, variables: Record<string, unknown> | undefined): DocumentNode {
  if (!variables) return document;
  return visit(document, {
    Argument(node) {
      if ((node.name.value !== "first" && node.name.value !== "last") || node.value.kind !== Kind.VARIABLE) return undefined;
      const v = variables[node.value.name.value];
      return Number.isInteger(v) ? { ...node, value: { kind: Kind.INT, value: String(v) } } : undefined;
    },
  });
}

/**
 * The query limits, built on graphql-armor: depth, aliases, directives and field suggestions
 * as Apollo validation rules and plugins, tokens while parsing, and a cost budget that counts
 * list sizes given as variables too. The same checks run for graphql-ws operations
 * (checkOperation), so neither transport is a way around the other. Every refusal is
 * BAD_USER_INPUT, decided before anything executes.
 */
export function createQueryGuard(schema: GraphQLSchema, limits: QueryLimits | null, production = false, opts: { introspection?: boolean } = {}) {
  if (limits === null) return unguarded(schema);
  // Apollo applies its own rule over HTTP; graphql-ws operations get the same one here.
  const wsRules = opts.introspection === false ? [NoSchemaIntrospectionCustomRule] : [];
  const armor = new ApolloArmor({
    // graphql-js counts tokens while parsing (parseOptions.maxTokens): a refusal is then a 400.
    maxTokens: { enabled: false },
    // Fields nested, not fragments: a spread adds no work, and typed clients spread fragments in fragments.
    maxDepth: { n: limits.maxDepth, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // Counted below, with variables in view.
    costLimit: { enabled: false },
    // "Did you mean …" maps the schema for anyone: off in production.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  const costRule = new ApolloArmor({
    costLimit: { maxCost: limits.maxCost },
    maxTokens: { enabled: false },
    maxDepth: { enabled: false },
    maxAliases: { enabled: false },
    maxDirectives: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect().validationRules as ValidationRule[];
  const rules = armor.validationRules as ValidationRule[];

  /**
   * The cost errors of `document` with these variables (none when within the budget). Apollo
   * hands the same DocumentNode for the same query text, so the answer is kept per document and
   * page sizes given: a cost is computed once, not on every request.
   */
  const costs = new WeakMap<DocumentNode, Map<string, GraphQLError[]>>();
  const costErrors = (document: DocumentNode, variables?: Record<string, unknown>): GraphQLError[] => {
    const key = JSON.stringify(pageSizeVariables(document, variables));
    let known = costs.get(document);
    const hit = known?.get(key);
    if (hit) return hit;
    const errors = validate(schema, withPageSizes(document, variables), costRule).map((e) => refused(e.message));
    if (!known) costs.set(document, (known = new Map()));
    // A client varying `first` cannot grow this without bound.
    if (known.size < MAX_COSTS_PER_DOCUMENT) known.set(key, errors);
    return errors;
  };

  const costPlugin: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const errors = costErrors(document, request.variables);
          if (errors.length > 0) throw errors[0];
        },
      };
    },
  };

  // Valid graphql-ws documents by query text, as Apollo keeps them for HTTP: 10,000 lobby
  // watchers of one query share one parsed document instead of holding 10,000 (with their
  // token locations, ~20 KB each), and a query is parsed and validated once.
  const documents = new LRUCache<string, DocumentNode>({
    max: LIMITS.cachedDocuments,
    maxSize: LIMITS.cachedDocumentChars,
    sizeCalculation: (_doc, query) => Math.max(1, query.length),
  });

  return {
    /** Documents kept for reuse now (bounded by LIMITS.cachedDocuments). */
    get cachedDocuments() {
      return documents.size;
    },
    /** For Apollo Server: its parse options, validation rules and plugins. */
    parseOptions: { maxTokens: limits.maxTokens } as { maxTokens?: number },
    validationRules: rules,
    plugins: [...(armor.plugins as ApolloServerPlugin[]), costPlugin],

    /**
     * One graphql-ws operation through the same limits: the parsed document, or the
     * errors to answer with (parse, validation and limit refusals alike). Never throws.
     */
    checkOperation(query: string, variables?: Record<string, unknown> | null): { document: DocumentNode } | { errors: GraphQLError[] } {
      const known = documents.get(query);
      if (known) {
        const overBudget = costErrors(known, variables ?? undefined);
        return overBudget.length > 0 ? { errors: overBudget } : { document: known };
      }
      let document: DocumentNode;
      try {
        document = parse(query, { maxTokens: limits.maxTokens });
      } catch (err) {
        return { errors: [err instanceof GraphQLError ? refused(err.message) : refused(String(err))] };
      }
      const errors = validate(schema, document, [...specifiedRules, ...rules, ...wsRules]).map((e) =>
        e.extensions?.code === ErrorCode.BAD_USER_INPUT
          ? refused(e.message)
          : new GraphQLError(production ? e.message.replace(/ ?Did you mean .+\?/, "") : e.message, {
              nodes: e.nodes,
              extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
            }),
      );
      if (errors.length > 0) return { errors };
      // Subscriptions only: they are what many clients send alike and hold for long.
      if (document.definitions.every((d) => d.kind !== Kind.OPERATION_DEFINITION || d.operation === "subscription")) documents.set(query, document);
      const overBudget = costErrors(document, variables ?? undefined);
      return overBudget.length > 0 ? { errors: overBudget } : { document };
    },
  };
}

export type QueryGuard = ReturnType<typeof createQueryGuard>;

/** No query limits at all: the benchmark's baseline (never from the environment). */
function unguarded(schema: GraphQLSchema) {
  return {
    cachedDocuments: 0,
    parseOptions: {} as { maxTokens?: number },
    validationRules: [] as ValidationRule[],
    plugins: [] as ApolloServerPlugin[],
    checkOperation(query: string): { document: DocumentNode } | { errors: GraphQLError[] } {
      try {
        const document = parse(query);
        const errors = validate(schema, document, specifiedRules);
        return errors.length > 0 ? { errors: [...errors] } : { document };
      } catch (err) {
        return { errors: [err instanceof GraphQLError ? err : new GraphQLError(String(err))] };
      }
    },
  };
}
