import { badInput } from "../domain/errors.js";
import type { GameTypeDef } from "../domain/game-type.js";

const REGION = /^[A-Za-z0-9_.-]{1,64}$/;

/** The region a game goes in (null for none). Throws BAD_USER_INPUT for one the type does not offer or a malformed name. */
export function validateRegion(type: GameTypeDef, region: string | null | undefined): string | null {
  if (region === null || region === undefined || region === "") return null;
  if (type.regions.length > 0 && !type.regions.includes(region)) {
    throw badInput(`Region "${region}" is not offered for "${type.id}" (choose one of: ${type.regions.join(", ")}).`);
  }
  if (!REGION.test(region)) throw badInput(`Region "${region.slice(0, 80)}" is not a valid region name.`);
  return region;
}

/** Seats of a new game including the creator (default maxPlayers). Throws BAD_USER_INPUT outside minPlayers..maxPlayers. */
export function validateCapacity(type: GameTypeDef, capacity: number | null | undefined): number {
  if (capacity === null || capacity === undefined) return type.maxPlayers;
  if (!Number.isInteger(capacity) || capacity < type.minPlayers || capacity > type.maxPlayers) {
    throw badInput(`capacity must be a whole number from ${type.minPlayers} to ${type.maxPlayers} for "${type.id}".`);
  }
  return capacity;
}
