import type { CreateGameInput, GameTypesQuery, Visibility } from "@matchmaker/client";
import { Fragment } from "preact";
import { useState } from "preact/hooks";

export type GameTypeInfo = GameTypesQuery["gameTypes"][number];

/** Defaults a type's settings JSON Schema declares at its top level, as a starting point. */
const settingsDefaults = (schema: unknown): string => {
  const props = (schema as { properties?: Record<string, { default?: unknown }> } | null)?.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(props)) if (p && "default" in p) out[k] = p.default;
  return Object.keys(out).length > 0 ? JSON.stringify(out) : "";
};

/** createGame for the selected type: region, seats, visibility, declared labels and settings (JSON). */
export function CreateGameForm(props: { type: GameTypeInfo; busy: boolean; onCreate: (input: CreateGameInput) => Promise<boolean>; onInvalid: (message: string) => void; onCancel: () => void }) {
  const t = props.type;
  const [region, setRegion] = useState(t.regions[0] ?? "");
  const [capacity, setCapacity] = useState(String(t.maxPlayers));
  const [visibility, setVisibility] = useState<Visibility>("PUBLIC");
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [settings, setSettings] = useState("");
  const id = (part: string) => `c-${t.id}-${part}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    const input: CreateGameInput = { gameType: t.id, visibility };
    if (region.trim()) input.region = region.trim();
    if (capacity.trim()) {
      const n = Number(capacity);
      if (!Number.isInteger(n)) return props.onInvalid("Seats must be a whole number.");
      input.capacity = n;
    }
    const l: Record<string, string | number> = {};
    for (const { key, kind } of t.labels) {
      const v = (labels[key] ?? "").trim();
      if (v === "") continue;
      if (kind === "number") {
        const n = Number(v);
        if (!Number.isFinite(n)) return props.onInvalid(`Label ${key} is a number; ${JSON.stringify(v)} is not.`);
        l[key] = n;
      } else l[key] = v;
    }
    if (Object.keys(l).length > 0) input.labels = l;
    if (settings.trim()) {
      try {
        input.settings = JSON.parse(settings);
      } catch (err) {
        return props.onInvalid(`Settings are not JSON: ${(err as Error).message}`);
      }
    }
    if (await props.onCreate(input)) props.onCancel();
  };

  return (
    <form class="create" onSubmit={submit} aria-label={`Create a ${t.name} game`} data-testid="create-form">
      <h3>Create a {t.name} game</h3>
      <div class="grid">
        <label for={id("region")}>Region</label>
        {t.regions.length > 0 ? (
          <select id={id("region")} data-testid="create-region" value={region} onChange={(e) => setRegion((e.target as HTMLSelectElement).value)}>
            <option value="">none</option>
            {t.regions.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        ) : (
          <input id={id("region")} data-testid="create-region" type="text" value={region} placeholder="none" onInput={(e) => setRegion((e.target as HTMLInputElement).value)} />
        )}

        <label for={id("capacity")}>Seats</label>
        <input
          id={id("capacity")}
          data-testid="create-capacity"
          type="number"
          min={t.minPlayers}
          max={t.maxPlayers}
          value={capacity}
          onInput={(e) => setCapacity((e.target as HTMLInputElement).value)}
        />

        <label for={id("visibility")}>Visibility</label>
        <select id={id("visibility")} data-testid="create-visibility" value={visibility} onChange={(e) => setVisibility((e.target as HTMLSelectElement).value as Visibility)}>
          <option value="PUBLIC">public (listed)</option>
          <option value="PRIVATE">private (join code)</option>
        </select>

        {t.labels.map(({ key, kind }) => (
          <Fragment key={key}>
            <label for={id(`label-${key}`)}>
              Label {key} <span class="muted">({kind})</span>
            </label>
            <input
              id={id(`label-${key}`)}
              data-testid={`create-label-${key}`}
              type={kind === "number" ? "number" : "text"}
              value={labels[key] ?? ""}
              onInput={(e) => setLabels({ ...labels, [key]: (e.target as HTMLInputElement).value })}
            />
          </Fragment>
        ))}

        <label for={id("settings")}>Settings (JSON)</label>
        <textarea
          id={id("settings")}
          data-testid="create-settings"
          rows={2}
          spellcheck={false}
          placeholder={settingsDefaults(t.settingsSchema) || "{}"}
          value={settings}
          onInput={(e) => setSettings((e.target as HTMLTextAreaElement).value)}
        />
      </div>
      <p class="hint">Empty settings take the type's defaults; the server checks them against its JSON Schema.</p>
      <div class="row">
        <button type="submit" class="primary" data-testid="create-submit" disabled={props.busy}>
          Create game
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
