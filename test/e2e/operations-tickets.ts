/** Ticket matchmaking operations the end-to-end tests send; typed by codegen. */

const TICKET_FIELDS = /* GraphQL */ `
  fragment TicketFields on MatchTicket {
    id
    gameType { id }
    queue
    status
    version
    players { playerId name }
    partyId
    rating
    waitedSeconds
    window
    poolSize
    queueSize
    estimatedWaitSeconds
    teams
    teamDifference
    region
    reason
    game { id capacity players { id name } }
  }
`;

export const ENQUEUE_TICKET = /* GraphQL */ `
  mutation EnqueueTicket($input: EnqueueMatchTicketInput!) {
    enqueueMatchTicket(input: $input) { ...TicketFields }
  }
  ${TICKET_FIELDS}
`;

export const CANCEL_TICKET = /* GraphQL */ `
  mutation CancelTicket($id: ID!) {
    cancelMatchTicket(id: $id) { cancelled ticket { ...TicketFields } }
  }
  ${TICKET_FIELDS}
`;

export const TICKET = /* GraphQL */ `
  query Ticket($id: ID!) {
    matchTicket(id: $id) { ...TicketFields }
  }
  ${TICKET_FIELDS}
`;

export const TICKET_CHANGED = /* GraphQL */ `
  subscription TicketChanged($id: ID!, $afterVersion: Int) {
    matchTicketChanged(id: $id, afterVersion: $afterVersion) { previousStatus ticket { ...TicketFields } }
  }
  ${TICKET_FIELDS}
`;
