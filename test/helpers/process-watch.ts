// Watches every process of the machine while an operation runs, for secrets on a
// command line (what `ps` shows anyone) or in the environment of the programs the
// VNFM starts (helm, tar, ssh's remote shells). Reads /proc every few milliseconds;
// reports where a secret was seen (pid and program, never the secret), and which
// programs it saw, so a test can prove the watch saw helm run at all.
import { readdirSync, readFileSync } from 'node:fs';

export interface WatchReport {
  samples: number;
  programs: Set<string>;
  leaks: string[];
}

export interface ProcessWatch {
  /** What the watch has seen so far (it goes on watching). */
  peek(): WatchReport;
  /** Resolves once `done(report)` holds, checked after every sample; rejects after `boundMs`. */
  until(done: (r: WatchReport) => boolean, boundMs?: number): Promise<WatchReport>;
  /** Stops watching; `leaks` names each process a secret was seen in. */
  stop(): WatchReport;
}

/** Programs whose environment is read too (the VNFM's own and the test's hold secrets by design). */
const CHILDREN = new Set(['tar', 'sh', 'bash', 'mkdir', 'rm', 'cat', 'test', 'printenv', 'kubectl']);

/** helm, or a versioned helm binary (`helm-v4.3.1`, as the testbed names them). */
export const isHelm = (program: string) => /^helm(\b|-v?\d)/.test(program);

function read(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return ''; // the process ended between readdir and read
  }
}

export function watchProcesses(secrets: readonly string[], everyMs = 5): ProcessWatch {
  const wanted = secrets.filter((s) => s.length >= 6);
  const programs = new Set<string>();
  const leaks: string[] = [];
  let samples = 0;
  const sample = () => {
    samples++;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const comm = read(`/proc/${pid}/comm`).trim();
      if (!comm) continue;
      programs.add(comm);
      const where = [read(`/proc/${pid}/cmdline`)];
      if (CHILDREN.has(comm) || isHelm(comm)) where.push(read(`/proc/${pid}/environ`));
      for (const text of where)
        for (const s of wanted)
          if (text.includes(s))
            leaks.push(`pid ${pid} (${comm}): ${text === where[0] ? 'command line' : 'environment'}`);
    }
  };
  const report = (): WatchReport => ({ samples, programs: new Set(programs), leaks: [...new Set(leaks)] });
  const waiters = new Set<() => void>();
  const timer = setInterval(() => {
    sample();
    for (const w of waiters) w();
  }, everyMs);
  return {
    peek: report,
    until(done, boundMs = 120_000) {
      return new Promise((resolve, reject) => {
        const bound = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`process watch: condition not seen within ${boundMs} ms`));
        }, boundMs);
        const check = () => {
          const r = report();
          if (!done(r)) return;
          clearTimeout(bound);
          waiters.delete(check);
          resolve(r);
        };
        waiters.add(check);
      });
    },
    stop() {
      clearInterval(timer);
      sample();
      return report();
    },
  };
}
