/**
 * Fields whose value depends on who asks: `Game.joinCode` (the host's and admins') and
 * `Game.server` (seated players'). A subscription that selects one is executed for each viewer;
 * any other selection is executed and serialized once per change for all its subscribers. A
 * field resolver that reads `ctx.actor` must be named here (a unit test holds the resolvers to it).
 */
export const VIEWER_FIELDS: ReadonlySet<string> = new Set(["joinCode", "server"]);
