/**
 * The Kubernetes manifests in deploy/kubernetes, checked for what an operator relies on: that
 * `kubectl apply -k` gets every file, that the probes ask endpoints the server really serves
 * on ports the containers declare (and keep a standby worker alive), that every workload has a
 * disruption budget that allows node drains, that every variable is one the server knows with a
 * value it accepts, and that the Redis Cluster Job forms the cluster once (run here against six
 * real redis-servers).
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseCatalog } from "../../src/config/catalog.js";
import { ENV_VARS, loadEnv } from "../../src/config/env.js";
import { createWorkerServer } from "../../src/http/worker-server.js";
import { createMetrics } from "../../src/metrics.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIR = join(ROOT, "deploy/kubernetes");
const source = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** In deploy/kubernetes but deliberately not applied by `kubectl apply -k` (each file says why). */
const NOT_APPLIED = ["secret.example.yaml", "optional/servicemonitor.yaml"];
const KNOWN_VARS = new Set(ENV_VARS.map((v) => v.name));
const ENV_DEFAULT = (name: string) => ENV_VARS.find((v) => v.name === name)!.default!;

// ---- the few Kubernetes shapes these checks read ----
type Labels = Record<string, string>;
interface Port {
  name?: string;
  containerPort: number;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  tcpSocket?: { port: string | number };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
}
interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  ports?: Port[];
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  enableServiceLinks?: boolean;
  volumes?: { name: string; configMap?: { name: string; items?: { key: string; path: string }[] } }[];
}
interface WorkloadSpec {
  replicas?: number;
  serviceName?: string;
  selector: { matchLabels: Labels };
  template: { metadata: { labels: Labels }; spec: PodSpec };
  volumeClaimTemplates?: { metadata: { name: string } }[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  spec?: unknown;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface Manifest {
  file: string;
  obj: K8sObject;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [relative(DIR, path)] : [];
  });
}

/** Every document of every YAML file, with the problems `yaml` found in it. */
function parseAll() {
  const problems: string[] = [];
  const texts = new Map<string, string>();
  const manifests: Manifest[] = [];
  let kustomization: { namespace?: string; resources?: string[] } = {};
  for (const file of yamlFiles(DIR)) {
    const text = readFileSync(join(DIR, file), "utf8");
    texts.set(file, text);
    for (const doc of parseAllDocuments(text)) {
      for (const e of [...doc.errors, ...doc.warnings]) problems.push(`${file}: ${e.message}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue; // an empty document (comments only)
      if (file === "kustomization.yaml") kustomization = value as typeof kustomization;
      else manifests.push({ file, obj: value as K8sObject });
    }
  }
  return { problems, texts, manifests, kustomization };
}

const { problems, texts, manifests, kustomization } = parseAll();
const applied = manifests.filter((m) => (kustomization.resources ?? []).includes(m.file)).map((m) => m.obj);
const ofKind = (kind: string) => applied.filter((o) => o.kind === kind);
const named = (kind: string, name: string) => {
  const found = applied.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found;
};
const workloads = applied.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind));
const podOwners = applied.filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind));
const spec = (o: K8sObject) => o.spec as WorkloadSpec;
const pod = (o: K8sObject) => spec(o).template.spec;
const allContainers = (o: K8sObject) => [...(pod(o).initContainers ?? []), ...pod(o).containers];
const isMatchmaker = (c: Container) => /(^|\/)matchmaker(:|@|$)/.test(c.image);
const matchmakerWorkloads = workloads.filter((w) => pod(w).containers.some(isMatchmaker));
const selects = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
/** The port number a probe or Service names (by name or number) among the container's ports, or undefined. */
const resolvePort = (c: Container, port: string | number) =>
  c.ports?.find((p) => (typeof port === "number" ? p.containerPort === port : p.name === port))?.containerPort;
const where = (o: K8sObject, c?: Container) => `${o.kind} ${o.metadata.name}${c ? ` container ${c.name}` : ""}`;

/** The paths each server answers, read from its source: the API's express routes and the probe server's. */
const API_PATHS = [...source("src/http/api-server.ts").matchAll(/app\.get\("([^"]+)"/g)].map((m) => m[1]!);
const PROBE_SERVER_PATHS = [...source("src/http/worker-server.ts").matchAll(/req\.url === "([^"]+)"/g)].map((m) => m[1]!);

describe("deploy/kubernetes: files", () => {
  it("parses every YAML document without errors or warnings, each one object with apiVersion, kind and name", () => {
    expect(problems).toEqual([]);
    expect(manifests.length).toBeGreaterThan(10);
    for (const { file, obj } of manifests) {
      expect(typeof obj.apiVersion, file).toBe("string");
      expect(typeof obj.kind, file).toBe("string");
      expect(typeof obj.metadata?.name, file).toBe("string");
    }
  });

  it("lists in kustomization.yaml files that exist — all of them but the secret template and the optional add-ons", () => {
    const listed = kustomization.resources ?? [];
    expect(new Set(listed).size).toBe(listed.length);
    for (const file of listed) expect(texts.has(file), `${file} (kustomization.yaml) exists`).toBe(true);
    const unlisted = [...texts.keys()].filter((f) => f !== "kustomization.yaml" && !listed.includes(f));
    expect(unlisted.sort()).toEqual([...NOT_APPLIED].sort());
  });

  it("puts everything in the namespace it creates, with app.kubernetes.io name and component labels", () => {
    const [ns] = ofKind("Namespace");
    expect(ns?.metadata.name).toBe(kustomization.namespace);
    for (const { obj } of manifests.filter((m) => m.obj.kind !== "Namespace")) {
      expect(obj.metadata.namespace, where(obj)).toBe(kustomization.namespace);
      expect(obj.metadata.labels?.["app.kubernetes.io/name"], where(obj)).toBeDefined();
      expect(obj.metadata.labels?.["app.kubernetes.io/component"], where(obj)).toBeDefined();
    }
    for (const o of podOwners) {
      const labels = spec(o).template.metadata.labels;
      expect(labels["app.kubernetes.io/name"], where(o)).toBe(o.metadata.labels?.["app.kubernetes.io/name"]);
      expect(labels["app.kubernetes.io/component"], where(o)).toBe(o.metadata.labels?.["app.kubernetes.io/component"]);
      if (o.kind !== "Job") expect(selects(spec(o).selector.matchLabels, labels), `${where(o)}: selector matches its pods`).toBe(true);
    }
  });
});

describe("deploy/kubernetes: probes and shutdown", () => {
  it("gives every Deployment and StatefulSet container readiness and liveness probes on ports it declares", () => {
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual(["matchmaker-api", "matchmaker-worker", "redis-cluster"]);
    for (const w of workloads) {
      for (const c of pod(w).containers) {
        expect(c.readinessProbe, `${where(w, c)} readinessProbe`).toBeDefined();
        expect(c.livenessProbe, `${where(w, c)} livenessProbe`).toBeDefined();
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter((p) => p !== undefined)) {
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.exec?.command.join(" ").match(/-p (\d+)/)?.[1];
          expect(port, `${where(w, c)}: a probe names its port`).toBeDefined();
          const n = typeof port === "string" && /^\d+$/.test(port) ? Number(port) : port!;
          expect(resolvePort(c, n), `${where(w, c)}: probe port ${port} is declared`).toBeDefined();
        }
      }
    }
  });

  it("probes paths the server serves on that port: /readyz on the API port, /healthz on METRICS_PORT (which needs production)", () => {
    expect(API_PATHS).toEqual(expect.arrayContaining(["/healthz", "/readyz"]));
    expect(PROBE_SERVER_PATHS).toEqual(expect.arrayContaining(["/healthz"]));
    for (const w of matchmakerWorkloads) {
      const c = pod(w).containers.find(isMatchmaker)!;
      const role = c.args?.[0];
      const apiPort = Number(envOf(c, "PORT") ?? ENV_DEFAULT("PORT"));
      const metricsPort = Number(envOf(c, "METRICS_PORT") ?? ENV_DEFAULT("METRICS_PORT"));
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        if (!probe) continue;
        expect(probe.httpGet, `${where(w, c)}: HTTP probes`).toBeDefined();
        const port = resolvePort(c, probe.httpGet!.port);
        if (port === metricsPort) {
          // The probe server listens for a worker-only process, and for every process in production.
          expect(role === "worker" || envOf(c, "NODE_ENV") === "production", `${where(w, c)}: METRICS_PORT serves /healthz`).toBe(true);
          expect(PROBE_SERVER_PATHS, where(w, c)).toContain(probe.httpGet!.path);
        } else {
          expect(port, `${where(w, c)}: probe on the API port or METRICS_PORT`).toBe(apiPort);
          expect(role, `${where(w, c)}: only the API serves port ${apiPort}`).not.toBe("worker");
          expect(API_PATHS, where(w, c)).toContain(probe.httpGet!.path);
        }
      }
    }
    const api = pod(named("Deployment", "matchmaker-api")).containers.find(isMatchmaker)!;
    expect(api.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(resolvePort(api, api.readinessProbe!.httpGet!.port)).toBe(Number(envOf(api, "PORT")));
    expect(api.livenessProbe?.httpGet?.path).toBe("/healthz");
    expect(resolvePort(api, api.livenessProbe!.httpGet!.port)).toBe(Number(envOf(api, "METRICS_PORT")));
  });

  it("keeps a standby worker alive and ready: its probes ask /healthz, which answers 200 for a standby", async () => {
    const worker = pod(named("Deployment", "matchmaker-worker")).containers.find(isMatchmaker)!;
    expect(spec(named("Deployment", "matchmaker-worker")).replicas).toBeGreaterThanOrEqual(2);
    for (const probe of [worker.readinessProbe, worker.livenessProbe, worker.startupProbe]) {
      expect(probe?.httpGet?.path).toBe("/healthz");
      expect(probe?.exec, "no exec probe that checks for role=active").toBeUndefined();
    }
    const probes = createWorkerServer({ metrics: createMetrics(), healthy: () => true, active: () => false });
    const { port } = await probes.listen(0, "127.0.0.1");
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ role: "standby" });
    } finally {
      await probes.close();
    }
  });

  it("gives the SIGTERM drain time: grace period > preStop sleep + SHUTDOWN_TIMEOUT_MS, and the API a preStop sleep", () => {
    for (const w of matchmakerWorkloads) {
      const c = pod(w).containers.find(isMatchmaker)!;
      const preStop = c.lifecycle?.preStop;
      const sleep = preStop?.sleep?.seconds ?? (preStop?.exec?.command[0] === "sleep" ? Number(preStop.exec.command[1]) : 0);
      const shutdownMs = Number(envOf(c, "SHUTDOWN_TIMEOUT_MS") ?? ENV_DEFAULT("SHUTDOWN_TIMEOUT_MS"));
      const grace = pod(w).terminationGracePeriodSeconds ?? 30;
      expect(grace, `${where(w)}: ${sleep} s preStop + ${shutdownMs} ms drain`).toBeGreaterThan(sleep + shutdownMs / 1_000);
      if (c.args?.[0] === "api") expect(sleep, `${where(w)}: endpoints drain before SIGTERM`).toBeGreaterThan(0);
    }
  });
});

describe("deploy/kubernetes: disruption budgets and scaling", () => {
  const budgets = ofKind("PodDisruptionBudget");

  it("selects every Deployment and StatefulSet by exactly one PodDisruptionBudget that still allows a drain", () => {
    for (const w of workloads) {
      const labels = spec(w).template.metadata.labels;
      const mine = budgets.filter((b) => selects((b.spec as { selector: { matchLabels: Labels } }).selector.matchLabels, labels));
      // The eviction API refuses to evict a pod that two budgets select.
      expect(mine.map((b) => b.metadata.name), `${where(w)}: one PDB`).toHaveLength(1);
      const { maxUnavailable, minAvailable } = mine[0]!.spec as { maxUnavailable?: number; minAvailable?: number };
      const hpa = ofKind("HorizontalPodAutoscaler").find((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === w.metadata.name);
      const replicas = (hpa?.spec as { minReplicas?: number } | undefined)?.minReplicas ?? spec(w).replicas ?? 1;
      // Integers only here; a budget that allows no eviction blocks every node drain.
      const allowed = maxUnavailable !== undefined ? maxUnavailable : replicas - minAvailable!;
      expect(allowed, `${where(w)}: evictions allowed at ${replicas} replicas`).toBeGreaterThanOrEqual(1);
      expect(replicas - allowed, `${where(w)}: pods left during a drain`).toBeGreaterThanOrEqual(1);
    }
  });

  it("keeps two API pods serving through a drain, and autoscales the API on CPU it requests", () => {
    const api = named("Deployment", "matchmaker-api");
    const hpa = named("HorizontalPodAutoscaler", "matchmaker-api").spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
      maxReplicas: number;
      metrics: { resource?: { name: string } }[];
    };
    expect(spec(api).replicas).toBe(3);
    expect(hpa.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "matchmaker-api" });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(3);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
    expect(hpa.metrics.map((m) => m.resource?.name)).toContain("cpu");
    // CPU utilization is measured against the request: without one the HPA never scales.
    expect(pod(api).containers.find(isMatchmaker)!.resources?.requests?.cpu).toBeDefined();
  });
});

describe("deploy/kubernetes: configuration of the matchmaker", () => {
  const containers = matchmakerWorkloads.flatMap((w) => pod(w).containers.filter(isMatchmaker).map((c) => ({ w, c })));

  it("runs the CLI's api and worker commands", () => {
    const commands = [...source("src/cli.ts").matchAll(/case "([a-z-]+)":/g)].map((m) => m[1]);
    expect(containers.map(({ c }) => c.args?.[0]).sort()).toEqual(["api", "worker"]);
    for (const { w, c } of containers) expect(commands, where(w, c)).toContain(c.args?.[0]);
  });

  it("sets only variables the server knows, also in the commented-out alternatives", () => {
    for (const { w, c } of containers) {
      for (const e of c.env ?? []) expect(KNOWN_VARS.has(e.name), `${where(w, c)}: ${e.name} is a known variable`).toBe(true);
      // A repeated name silently wins over the first one.
      const names = (c.env ?? []).map((e) => e.name);
      expect(names.filter((n, i) => names.indexOf(n) !== i), `${where(w, c)}: each variable once`).toEqual([]);
    }
    const files = new Set(manifests.filter((m) => matchmakerWorkloads.includes(m.obj)).map((m) => m.file));
    const commented = [...files].flatMap((f) => [...texts.get(f)!.matchAll(/^\s*#\s*- name: ([A-Z][A-Z0-9_]*)\s*$/gm)].map((m) => [f, m[1]!]));
    expect(commented.map(([, name]) => name)).toContain("REDIS_URL");
    for (const [file, name] of commented) expect(KNOWN_VARS.has(name!), `${file}: commented ${name} is a known variable`).toBe(true);
  });

  it("gives values the server's own validation accepts, in production", () => {
    for (const { w, c } of containers) {
      const literal = Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
      const env = loadEnv({ ...literal, JWT_SECRET: "a-secret-that-is-long-enough" });
      expect(env.nodeEnv, where(w, c)).toBe("production");
      expect(c.ports?.find((p) => p.name === "metrics")?.containerPort, `${where(w, c)}: metrics port`).toBe(env.metricsPort);
      if (c.args?.[0] === "api") expect(c.ports?.find((p) => p.name === "http")?.containerPort, where(w, c)).toBe(env.port);
      // With neither, every pod would run the embedded backend on its own: nothing shared.
      const backends = ["REDIS_URL", "REDIS_CLUSTER_NODES"].filter((n) => envOf(c, n) !== undefined);
      expect(backends, `${where(w, c)}: exactly one Redis`).toHaveLength(1);
      // A Service named e.g. "metrics" would otherwise inject METRICS_PORT=tcp://… into the pod.
      expect(pod(w).enableServiceLinks, where(w)).toBe(false);
    }
  });

  it("takes JWT_SECRET from the secret the template describes, whose placeholder the server refuses", () => {
    const template = manifests.find((m) => m.file === "secret.example.yaml")!.obj;
    const placeholder = template.stringData?.JWT_SECRET;
    expect(placeholder).toBeDefined();
    for (const { w, c } of containers) {
      const ref = c.env?.find((e) => e.name === "JWT_SECRET")?.valueFrom?.secretKeyRef;
      expect(ref, `${where(w, c)}: JWT_SECRET from a secret, never a literal`).toEqual({ name: template.metadata.name, key: "JWT_SECRET" });
    }
    expect(() => loadEnv({ NODE_ENV: "production", JWT_SECRET: placeholder })).toThrow(/JWT_SECRET/);
  });

  it("points MATCHMAKER_GAME_TYPES at the mounted ConfigMap, whose catalog the server accepts", () => {
    for (const { w, c } of containers) {
      const path = envOf(c, "MATCHMAKER_GAME_TYPES");
      expect(path, where(w, c)).toBeDefined();
      const found = (c.volumeMounts ?? []).flatMap((m) => {
        const cm = pod(w).volumes?.find((v) => v.name === m.name)?.configMap;
        if (!cm) return [];
        const data = named("ConfigMap", cm.name).data ?? {};
        // A file per key (or per listed item) under the mount, or the one key a subPath mounts.
        const files = m.subPath
          ? [{ key: m.subPath, at: m.mountPath }]
          : (cm.items ?? Object.keys(data).map((key) => ({ key, path: key }))).map((i) => ({ key: i.key, at: `${m.mountPath.replace(/\/$/, "")}/${i.path}` }));
        return files.filter((f) => f.at === path && data[f.key] !== undefined).map((f) => data[f.key]!);
      });
      expect(found, `${where(w, c)}: ${path} is a file of a mounted ConfigMap`).toHaveLength(1);
      expect(parseCatalog(found[0]!, `ConfigMap file ${path}`).types.length).toBeGreaterThan(0);
    }
  });

  it("names the Redis StatefulSet's pods on its client port in REDIS_CLUSTER_NODES", () => {
    const redis = named("StatefulSet", "redis-cluster");
    const port = resolvePort(pod(redis).containers[0]!, "redis");
    const pods = Array.from({ length: spec(redis).replicas! }, (_, i) => `${redis.metadata.name}-${i}.${spec(redis).serviceName}:${port}`);
    for (const { w, c } of containers) expect(envOf(c, "REDIS_CLUSTER_NODES")?.split(",").sort(), where(w, c)).toEqual(pods.sort());
  });
});

describe("deploy/kubernetes: services", () => {
  const services = ofKind("Service");
  const podsOf = (selector: Labels) => podOwners.filter((o) => o.kind !== "Job" && selects(selector, spec(o).template.metadata.labels));

  it("routes every Service port to a port each selected pod declares", () => {
    for (const s of services) {
      const { selector, ports } = s.spec as { selector: Labels; ports: { port: number; targetPort?: string | number }[] };
      const targets = podsOf(selector);
      expect(targets.length, `${where(s)} selects pods`).toBeGreaterThan(0);
      for (const t of targets) {
        for (const p of ports) {
          const declared = pod(t).containers.some((c) => resolvePort(c, p.targetPort ?? p.port) !== undefined);
          expect(declared, `${where(s)} port ${p.port} → ${where(t)}`).toBe(true);
        }
      }
    }
  });

  it("sends the API Service's port 4000 to the API container's PORT, and only to API pods", () => {
    const svc = named("Service", "matchmaker-api").spec as { selector: Labels; ports: { port: number; targetPort: string | number }[] };
    expect(podsOf(svc.selector).map((o) => o.metadata.name)).toEqual(["matchmaker-api"]);
    const api = pod(named("Deployment", "matchmaker-api")).containers.find(isMatchmaker)!;
    const http = svc.ports.find((p) => p.port === 4000);
    expect(http).toBeDefined();
    expect(resolvePort(api, http!.targetPort)).toBe(Number(envOf(api, "PORT")));
  });

  it("offers the metrics port of every API and worker pod to Prometheus", () => {
    const svc = named("Service", "matchmaker-metrics").spec as { selector: Labels; ports: { targetPort: string | number }[] };
    expect(podsOf(svc.selector).map((o) => o.metadata.name).sort()).toEqual(["matchmaker-api", "matchmaker-worker"]);
    for (const w of matchmakerWorkloads) {
      const c = pod(w).containers.find(isMatchmaker)!;
      expect(resolvePort(c, svc.ports[0]!.targetPort), where(w, c)).toBe(Number(envOf(c, "METRICS_PORT")));
    }
  });
});

describe("deploy/kubernetes: Redis Cluster", () => {
  const redis = named("StatefulSet", "redis-cluster");
  const job = named("Job", "redis-cluster-create");
  const jobCommand = pod(job).containers[0]!.command!;
  const [script, , ...nodes] = jobCommand.slice(2);

  it("runs 6 cluster-enabled nodes keeping AOF and nodes.conf on their volume, behind a headless Service", () => {
    expect(spec(redis).replicas).toBe(6);
    const c = pod(redis).containers[0]!;
    const argv = [...(c.command ?? []), ...(c.args ?? [])].join(" ");
    expect(argv).toMatch(/^redis-server /);
    expect(argv).toContain("--cluster-enabled yes");
    expect(argv).toContain("--appendonly yes");
    const data = c.volumeMounts?.find((m) => spec(redis).volumeClaimTemplates?.some((t) => t.metadata.name === m.name));
    expect(data, "a volume from volumeClaimTemplates").toBeDefined();
    expect(argv).toContain(`--cluster-config-file ${data!.mountPath}/nodes.conf`);
    expect(argv).toContain(`--dir ${data!.mountPath}`);
    // The cluster bus is the client port + 10000.
    expect(resolvePort(c, "cluster-bus")).toBe(resolvePort(c, "redis")! + 10_000);
    const svc = named("Service", spec(redis).serviceName!).spec as { clusterIP: string; publishNotReadyAddresses: boolean };
    expect(svc.clusterIP).toBe("None");
    expect(svc.publishNotReadyAddresses, "pod names resolve while the cluster forms").toBe(true);
  });

  it("creates the cluster from exactly the StatefulSet's pods, with one replica per master", () => {
    expect(jobCommand.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(script).toContain("--cluster-replicas 1");
    expect(script).toContain("cluster_state:ok");
    const port = resolvePort(pod(redis).containers[0]!, "redis");
    expect(nodes).toEqual(Array.from({ length: spec(redis).replicas! }, (_, i) => `redis-cluster-${i}.${spec(redis).serviceName}:${port}`));
    expect(nodes.length / 2, "masters").toBeGreaterThanOrEqual(3);
  });

  describe("the Job's script, run against six redis-servers", () => {
    let servers: RedisServer[] = [];
    const local = () => servers.map((s) => `127.0.0.1:${s.port}`);
    const runScript = () => run("sh", ["-c", script!, "redis-cluster-create", ...local()], { timeout: 60_000 });
    const cli = async (s: RedisServer, ...args: string[]) => (await run("redis-cli", ["-h", "127.0.0.1", "-p", String(s.port), ...args])).stdout;

    beforeAll(async () => {
      // Free ports are often above 55535, where port + 10000 does not exist: give the bus its own.
      servers = await Promise.all(
        Array.from({ length: nodes.length }, async () =>
          startRedisServer([
            ...["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000"],
            ...["--cluster-port", String(await freePort())],
          ]),
        ),
      );
    }, 30_000);
    afterAll(async () => void (await Promise.all(servers.map((s) => s.stop()))));

    it("refuses to create a cluster over nodes that already know each other", async () => {
      await cli(servers[0]!, "cluster", "meet", "127.0.0.1", String(servers[1]!.port));
      await waitFor(async () => (await cli(servers[0]!, "cluster", "info")).includes("cluster_known_nodes:2"));
      const failed = await runScript().then(
        () => null,
        (err: { code: number; stdout: string }) => err,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stdout).toMatch(/already knows 2 nodes/);
      for (const s of servers.slice(0, 2)) await cli(s, "cluster", "reset", "hard");
    });

    it("forms 3 masters with a replica each, then does nothing when run again", async () => {
      await runScript();
      await waitFor(async () => {
        const lines = (await cli(servers[0]!, "cluster", "nodes")).trim().split("\n");
        return lines.filter((l) => / master /.test(l) || /myself,master/.test(l)).length === 3 && lines.filter((l) => /slave/.test(l)).length === 3;
      });
      for (const s of servers) expect(await cli(s, "cluster", "info")).toContain("cluster_state:ok");
      const before = (await cli(servers[0]!, "cluster", "myid")).trim();
      const again = await runScript();
      expect(again.stdout).toMatch(/nothing to do/);
      expect((await cli(servers[0]!, "cluster", "myid")).trim()).toBe(before);
    });
  });
});

describe("deploy/kubernetes: images and security", () => {
  const every = podOwners.flatMap((o) => allContainers(o).map((c) => ({ o, c })));

  it("pulls :latest (or untagged) images only with imagePullPolicy IfNotPresent", () => {
    for (const { o, c } of every) {
      const tag = c.image.includes("@") ? "digest" : (c.image.split("/").pop()!.split(":")[1] ?? "latest");
      if (tag === "latest") expect(c.imagePullPolicy, `${where(o, c)}: ${c.image}`).toBe("IfNotPresent");
    }
  });

  it("runs every container as a numeric non-root user, read-only, without privilege escalation", () => {
    for (const { o, c } of every) {
      const podCtx = pod(o).securityContext ?? {};
      const ctx = { ...podCtx, ...c.securityContext };
      expect(ctx.runAsNonRoot, where(o, c)).toBe(true);
      // A named USER (the image's "node") cannot be verified as non-root by the kubelet: the uid must be numeric.
      expect(ctx.runAsUser, where(o, c)).toBeGreaterThan(0);
      expect(ctx.readOnlyRootFilesystem, where(o, c)).toBe(true);
      expect(ctx.allowPrivilegeEscalation, where(o, c)).toBe(false);
      expect(c.resources?.requests?.memory, `${where(o, c)}: memory request`).toBeDefined();
      expect(c.resources?.limits?.memory, `${where(o, c)}: memory limit`).toBeDefined();
    }
    // The matchmaker image runs as "node", uid 1000 in the official Node images.
    expect(source("Dockerfile")).toMatch(/^USER node$/m);
    for (const w of matchmakerWorkloads) {
      const c = pod(w).containers.find(isMatchmaker)!;
      expect(c.securityContext?.runAsUser ?? pod(w).securityContext?.runAsUser, where(w, c)).toBe(1000);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** Like test/support/app.ts's waitFor, which would load the whole app (src/main.ts) into this unit test. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
