/** One problem found in configuration: which file (if any), where in it, and what is wrong. */
export interface ConfigProblem {
  /** Config file the problem is in; absent for environment variables. */
  file?: string;
  /** Location inside the source: an env var name or a YAML path like `gameTypes[1].maxPlayers`. */
  path: string;
  message: string;
  /** 1-based line in `file`, when known. */
  line?: number;
}

/**
 * Thrown when configuration is invalid. It carries every problem found, not just the
 * first, so an operator can fix them all in one edit instead of one restart per typo.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], summary = "Invalid configuration") {
    const list = problems.map(formatProblem).join("\n");
    super(problems.length > 0 ? `${summary}:\n${list}` : summary);
    this.problems = problems;
  }

  /** Every problem on its own line, `<file>: <path>: <message> (line N)`; file and line omitted when unknown. */
  format(): string {
    return this.problems.map(formatProblem).join("\n");
  }
}

function formatProblem(p: ConfigProblem): string {
  const where = p.path === "" ? "(top level)" : p.path;
  const line = p.line === undefined ? "" : ` (line ${p.line})`;
  return `${p.file ? `${p.file}: ` : ""}${where}: ${p.message}${line}`;
}
