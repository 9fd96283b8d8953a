/** The first GraphQL error of a refused operation, with the matchmaker's `extensions.code`. */
export class MatchmakerError extends Error {
  override readonly name = "MatchmakerError";
  constructor(
    /** `extensions.code`: GAME_FULL, RATE_LIMITED, UNAUTHENTICATED, … or NETWORK_ERROR / HTTP_<status> when no GraphQL answer came. */
    readonly code: string,
    message: string,
    /** Every extension of the error (e.g. `retryAfterSeconds` with RATE_LIMITED). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
    /** Every error of the response, for the rare one with several. */
    readonly errors: readonly GraphQLErrorLike[] = [],
  ) {
    super(message);
  }

  /** Seconds to wait before trying again, when the server said so. */
  get retryAfterSeconds(): number | null {
    const s = this.extensions.retryAfterSeconds;
    return typeof s === "number" ? s : null;
  }
}

export interface GraphQLErrorLike {
  message: string;
  /** Where in the result the error is (a field's path); absent for a request error. */
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

export function errorFromGraphQL(errors: readonly GraphQLErrorLike[]): MatchmakerError {
  const first = errors[0] ?? { message: "The server answered with neither data nor errors." };
  const code = typeof first.extensions?.code === "string" ? first.extensions.code : "INTERNAL_SERVER_ERROR";
  return new MatchmakerError(code, first.message, first.extensions ?? {}, errors);
}
