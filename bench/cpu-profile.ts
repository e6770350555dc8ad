import fs from "fs";
import { Session } from "inspector";
import path from "path";

/**
 * CPU-profiles `work` alone (not the process's start-up, unlike `node --cpu-prof`) and writes
 * `<dir>/<name>.cpuprofile`, which Chrome DevTools or `node dist/bench/profile-summary.js` can read.
 */
export async function withCpuProfile<T>(dir: string | undefined, name: string, work: () => Promise<T>): Promise<T> {
  if (!dir) return work();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve({ ...res }))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 100 });
  await post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await post("Profiler.stop");
    session.disconnect();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}
