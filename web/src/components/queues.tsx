import type { MatchmakerClient } from "@matchmaker/client";
import { useEffect, useState } from "preact/hooks";

type Queues = Awaited<ReturnType<MatchmakerClient["matchQueues"]>>;

/** Queue sizes are read, not pushed: often enough to see a queue fill and drain. */
const REFRESH_MS = 3_000;

/**
 * A game type's ticket matchmaking queues: how many search in each now and how long matches
 * took lately. Renders nothing for a type without queues.
 */
export function QueuesPanel(props: { client: MatchmakerClient; gameType: string }) {
  const [queues, setQueues] = useState<Queues>([]);
  useEffect(() => {
    let current = true;
    const load = () =>
      props.client.matchQueues(props.gameType).then(
        (q) => current && setQueues(q),
        () => {}, // the lobby's own status shows an outage; the last figures stay until the next read
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [props.client, props.gameType]);
  if (queues.length === 0) return null;
  return (
    <details class="filter-box queues" open data-testid="queues">
      <summary>Ranked queues</summary>
      <table>
        <thead>
          <tr>
            <th>Queue</th>
            <th>Teams</th>
            <th>Searching</th>
            <th>Typical wait</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.id} data-testid={`queue-${q.id}`}>
              <td>{q.id}</td>
              <td>{q.layout}</td>
              <td data-testid="queue-waiting">{q.waiting}</td>
              <td>{q.estimatedWaitSeconds === null || q.estimatedWaitSeconds === undefined ? "—" : `${q.estimatedWaitSeconds.toFixed(1)} s`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
