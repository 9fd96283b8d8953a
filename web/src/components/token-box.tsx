import { useState } from "preact/hooks";
import { relative } from "../format.js";
import { decodeToken, normalizeToken } from "../token.js";

const HOW_TO = "npm run -s matchmaker -- token --sub alice --name Alice";

/** Paste a player token; shows whom it names (decoded here, not verified: the server decides). */
export function TokenBox(props: { token: string; onChange: (token: string) => void }) {
  const [draft, setDraft] = useState(props.token);
  const [open, setOpen] = useState(props.token === "");
  const info = props.token ? decodeToken(props.token) : null;
  const expired = info?.ok && info.expiresAt !== null && info.expiresAt <= Date.now();

  const save = (e: Event) => {
    e.preventDefault();
    props.onChange(normalizeToken(draft));
    setOpen(false);
  };

  return (
    <section class="token" aria-labelledby="token-heading">
      <h2 id="token-heading" class="visually-hidden">
        Player token
      </h2>
      <p class="who" data-testid="token-who" aria-live="polite">
        {!info && <span>Watching anonymously. Paste a token to play.</span>}
        {info && !info.ok && <span class="bad">This token cannot be read: {info.reason}.</span>}
        {info?.ok && (
          <span>
            Playing as <strong data-testid="token-name">{info.name}</strong> <span class="muted">({info.sub})</span>
            {info.admin && <span class="chip">admin</span>}
            {info.expiresAt !== null && (
              <span class={expired ? "bad" : "muted"}> · {expired ? `expired ${relative(info.expiresAt)}` : `expires ${relative(info.expiresAt)}`}</span>
            )}
          </span>
        )}
        <button type="button" class="link" aria-expanded={open} aria-controls="token-form" onClick={() => setOpen(!open)} data-testid="token-toggle">
          {open ? "Hide" : props.token ? "Change token" : "Paste a token"}
        </button>
      </p>
      {open && (
        <form id="token-form" class="token-form" onSubmit={save}>
          <label for="token-input">Player token (a JWT)</label>
          <div class="row">
            <input
              id="token-input"
              data-testid="token-input"
              type="text"
              autoComplete="off"
              spellcheck={false}
              placeholder="eyJhbGciOiJIUzI1NiJ9…"
              value={draft}
              onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
            />
            <button type="submit" data-testid="token-save">
              Use token
            </button>
            {props.token && (
              <button
                type="button"
                data-testid="token-clear"
                onClick={() => {
                  setDraft("");
                  props.onChange("");
                }}
              >
                Forget
              </button>
            )}
          </div>
          <p class="hint">
            For development, print one with <code>{HOW_TO}</code> (add <code>--admin</code> for an admin). It is kept in this browser's
            localStorage and sent only to this server.
          </p>
        </form>
      )}
    </section>
  );
}
