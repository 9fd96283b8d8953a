import type { MatchmakerClient } from "@matchmaker/client";
import { useEffect, useState } from "preact/hooks";

type Queues = Awaited<ReturnType<MatchmakerClient["matchQueues"]>>;

/** Queue sizes are read, not pushed: often enough to see a queue fill and drain. */
const REFRESH_MS = 3_000;

/**
 * A game type's ticket matchmaking queues: how many search in each now, how long matches
 * took lately, what ended in the last minutes and why tickets wait (the rules that failed).
 * Renders nothing for a type without queues.
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
            <th>p90 wait</th>
            <th title={`The last ${queues[0]!.recent.minutes} minutes`}>Matched / timed out / cancelled</th>
            <th>Why tickets wait</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.id} data-testid={`queue-${q.id}`}>
              <td>{q.id}</td>
              <td>{q.layout}</td>
              <td data-testid="queue-waiting">{q.waiting}</td>
              <td>{seconds(q.estimatedWaitSeconds)}</td>
              <td data-testid="queue-p90">{seconds(q.timeToMatch?.p90Seconds)}</td>
              <td data-testid="queue-recent">
                {q.recent.matched} / {q.recent.timedOut} / {q.recent.cancelled}
              </td>
              <td data-testid="queue-why">{whyNot(q.recent)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

const seconds = (s: number | null | undefined) => (s === null || s === undefined ? "—" : `${s.toFixed(1)} s`);

/** The rules that failed most in the window (seed attempts), then timeouts by reason: "no_region 12 · party_size 3". */
function whyNot(recent: Queues[number]["recent"]): string {
  const rules = recent.ruleFailures.slice(0, 3).map((r) => `${r.reason} ${r.count}`);
  const timeouts = recent.timeouts.map((r) => `timed out (${r.reason}) ${r.count}`);
  const all = [...rules, ...timeouts];
  return all.length === 0 ? "—" : all.join(" · ");
}
