import type { MatchmakerError } from "@matchmaker/client";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

const TEXT: Record<ConnectionStatus, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  offline: "offline",
};

/** Whether the subscription socket is up: the list only moves by itself while it is. */
export function StatusBadge(props: { status: ConnectionStatus; onReconnect: () => void }) {
  return (
    <span class="status">
      <span class={`dot ${props.status}`} aria-hidden="true" />
      <span role="status" data-testid="connection-status" data-status={props.status}>
        {TEXT[props.status]}
      </span>
      {props.status === "offline" && (
        <button type="button" class="link" onClick={props.onReconnect} data-testid="reconnect">
          Reconnect
        </button>
      )}
    </span>
  );
}

export interface ShownError {
  what: string;
  error: MatchmakerError;
}

/** The last refusal, with its `extensions.code` and message as the matchmaker gave them. */
export function ErrorBanner(props: { shown: ShownError | null; onDismiss: () => void }) {
  return (
    <div class="alert-slot" role="alert" aria-atomic="true">
      {props.shown && (
        <div class="alert" data-testid="error" data-code={props.shown.error.code}>
          <span>
            {props.shown.what}: <code data-testid="error-code">{props.shown.error.code}</code> <span data-testid="error-message">{props.shown.error.message}</span>
          </span>
          <button type="button" class="link" onClick={props.onDismiss} aria-label="Dismiss the error">
            ✕
          </button>
        </div>
      )}
    </div>
  );
}

export function Notice(props: { text: string | null }) {
  return (
    <div class="notice-slot" role="status" aria-live="polite" data-testid="notice">
      {props.text && <div class="notice">{props.text}</div>}
    </div>
  );
}
