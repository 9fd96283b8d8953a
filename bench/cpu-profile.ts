import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

/** A V8 CPU profile of this process's main thread from now until `stop(file)` writes it (a .cpuprofile). */
export async function startCpuProfile(intervalUs = 250): Promise<{ stop(file: string): Promise<void> }> {
  // Connected only to profile: an inspector session is not free.
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  await session.post("Profiler.start");
  return {
    async stop(file) {
      const { profile } = await session.post("Profiler.stop");
      await session.post("Profiler.disable");
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}
