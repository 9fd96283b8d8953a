import type { AuthChecker } from "type-graphql";
import { ADMIN_ROLE } from "../auth/jwt.js";
import { ErrorCode, MatchmakerError } from "../domain/errors.js";
import type { GqlContext } from "./context.js";

/** `@Authorized()` needs a player token; `@Authorized(ADMIN_ROLE)` an admin one. */
export const authChecker: AuthChecker<GqlContext> = ({ context }, roles) => {
  if (!context.actor) {
    throw new MatchmakerError(
      ErrorCode.UNAUTHENTICATED,
      "This operation needs a player token: send it as 'Authorization: Bearer <token>'.",
    );
  }
  if (roles.includes(ADMIN_ROLE) && !context.actor.admin) {
    throw new MatchmakerError(ErrorCode.FORBIDDEN, "This operation is for admins only.");
  }
  return true;
};
