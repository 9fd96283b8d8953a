import { parseCatalog } from "../../src/config/catalog.js";
import type { Catalog } from "../../src/domain/game-type.js";

export const SERVER_SECRET = "duel-server-secret-1234";

/**
 * A catalog whose hosted type ("duel", capacity 2–4) points at a fake game server, plus a
 * lobby-only type ("lobby"); short timeouts so expiry tests read naturally.
 */
export function serverCatalog(serverUrl: string): Catalog {
  return parseCatalog(serverCatalogYaml(serverUrl), "server-catalog.yaml");
}

/** The YAML of {@link serverCatalog}, for processes that read MATCHMAKER_GAME_TYPES from a file. */
export function serverCatalogYaml(serverUrl: string): string {
  return `gameTypes:
  - id: duel
    name: Duel
    minPlayers: 2
    maxPlayers: 4
    serverUrl: ${serverUrl}
    socketUrl: ws://127.0.0.1:1/ws
    serverSecret: ${SERVER_SECRET}
    labels: { map: string, round: number }
    stateTimeouts: { created: 60, creator_joined: 60, all_players_joined: 600, in_progress: 1200, ended: 300 }
    seatReservationSeconds: 30
  - id: lobby
    name: Lobby
    minPlayers: 2
    maxPlayers: 8
`;
}

/** {@link serverCatalog} with `queues` (YAML list items, indented as under a type) on its hosted duel. */
export function serverCatalogWithQueues(serverUrl: string, queuesYaml: string): Catalog {
  const yaml = serverCatalogYaml(serverUrl).replace("    seatReservationSeconds: 30\n", `    seatReservationSeconds: 30\n    queues:\n${queuesYaml}`);
  return parseCatalog(yaml, "server-catalog-queues.yaml");
}
