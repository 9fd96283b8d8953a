import type { GameState } from "@matchmaker/client";
import { useState } from "preact/hooks";
import { emptyFilter, type FilterForm, type FilterProblem, type LabelDeclaration } from "../filter.js";
import { STATE_LABEL, STATES } from "../format.js";

export interface FilterType {
  id: string;
  regions: string[];
  labels: LabelDeclaration[];
  hasGameServer: boolean;
}

/** The lobby search's filter for one game type; Apply re-subscribes the list with it. */
export function FilterPanel(props: { type: FilterType; applied: FilterForm; problems: FilterProblem[]; onApply: (form: FilterForm) => void }) {
  // Starts from the applied filter; the page gives each game type its own panel (key).
  const [form, setForm] = useState<FilterForm>(props.applied);
  const id = (part: string) => `f-${props.type.id}-${part}`;
  const problem = (field: string) => props.problems.find((p) => p.field === field)?.message;

  const toggle = <T,>(list: T[], value: T, on: boolean) => (on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value));
  const setLabel = (key: string, part: "eq" | "gte" | "lte", value: string) =>
    setForm({ ...form, labels: { ...form.labels, [key]: { ...(form.labels[key] ?? { eq: "", gte: "", lte: "" }), [part]: value } } });

  return (
    <form
      class="filters"
      aria-label={`Filter ${props.type.id} games`}
      data-testid="filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(form);
      }}
    >
      <fieldset>
        <legend>Region</legend>
        {props.type.regions.length > 0 ? (
          props.type.regions.map((r) => (
            <label key={r} class="check">
              <input
                type="checkbox"
                data-testid={`filter-region-${r}`}
                checked={form.regions.includes(r)}
                onChange={(e) => setForm({ ...form, regions: toggle(form.regions, r, (e.target as HTMLInputElement).checked) })}
              />
              {r}
            </label>
          ))
        ) : (
          <>
            <label for={id("regions")} class="visually-hidden">
              Regions, comma-separated
            </label>
            <input
              id={id("regions")}
              data-testid="filter-regions"
              type="text"
              placeholder="any (e.g. eu, us)"
              value={form.regionsText}
              onInput={(e) => setForm({ ...form, regionsText: (e.target as HTMLInputElement).value })}
            />
          </>
        )}
      </fieldset>

      <fieldset>
        <legend>State</legend>
        {STATES.map((s: GameState) => (
          <label key={s} class="check">
            <input
              type="checkbox"
              data-testid={`filter-state-${s}`}
              checked={form.states.includes(s)}
              onChange={(e) => setForm({ ...form, states: toggle(form.states, s, (e.target as HTMLInputElement).checked) })}
            />
            {STATE_LABEL[s]}
          </label>
        ))}
        <p class="hint">None checked: every state but ended.</p>
        {props.type.hasGameServer && (
          <label class="check">
            <input
              type="checkbox"
              data-testid="filter-waiting"
              checked={form.includeWaitingForHost}
              onChange={(e) => setForm({ ...form, includeWaitingForHost: (e.target as HTMLInputElement).checked })}
            />
            include games whose host has not connected yet
          </label>
        )}
      </fieldset>

      <fieldset>
        <legend>Seats</legend>
        <label for={id("min")}>At least this many free seats</label>
        <input
          id={id("min")}
          data-testid="filter-min-free-seats"
          type="number"
          min={0}
          inputMode="numeric"
          value={form.minFreeSeats}
          aria-invalid={problem("minFreeSeats") ? true : undefined}
          onInput={(e) => setForm({ ...form, minFreeSeats: (e.target as HTMLInputElement).value })}
        />
        {problem("minFreeSeats") && <p class="field-error">{problem("minFreeSeats")}</p>}
      </fieldset>

      {props.type.labels.length > 0 && (
        <fieldset>
          <legend>Labels</legend>
          {props.type.labels.map(({ key, kind }) => {
            const f = form.labels[key] ?? { eq: "", gte: "", lte: "" };
            return (
              <div class="label-filter" key={key}>
                <span class="label-key">
                  {key} <span class="muted">({kind})</span>
                </span>
                <label>
                  <span class="op">=</span>
                  <input
                    type={kind === "number" ? "number" : "text"}
                    data-testid={`filter-label-${key}-eq`}
                    aria-label={`${key} equals`}
                    value={f.eq}
                    onInput={(e) => setLabel(key, "eq", (e.target as HTMLInputElement).value)}
                  />
                </label>
                {kind === "number" && (
                  <>
                    <label>
                      <span class="op">≥</span>
                      <input
                        type="number"
                        data-testid={`filter-label-${key}-gte`}
                        aria-label={`${key} at least`}
                        value={f.gte}
                        onInput={(e) => setLabel(key, "gte", (e.target as HTMLInputElement).value)}
                      />
                    </label>
                    <label>
                      <span class="op">≤</span>
                      <input
                        type="number"
                        data-testid={`filter-label-${key}-lte`}
                        aria-label={`${key} at most`}
                        value={f.lte}
                        onInput={(e) => setLabel(key, "lte", (e.target as HTMLInputElement).value)}
                      />
                    </label>
                  </>
                )}
                {props.problems
                  .filter((p) => p.field.startsWith(`label.${key}.`))
                  .map((p) => (
                    <p class="field-error" key={p.field}>
                      {p.message}
                    </p>
                  ))}
              </div>
            );
          })}
        </fieldset>
      )}

      <div class="row">
        <button type="submit" data-testid="filter-apply">
          Apply filters
        </button>
        <button
          type="button"
          data-testid="filter-reset"
          onClick={() => {
            const empty = emptyFilter();
            setForm(empty);
            props.onApply(empty);
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}
