import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The example a client README shows, checked to be the file it names: the
 * fenced block after `<!-- example: FILE ... -->` must equal FILE.
 */
export function readmeExample(readmePath: string, file: string, lang: string): string {
  const readme = readFileSync(readmePath, 'utf8');
  const escaped = file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const m = new RegExp(`<!-- example: ${escaped}[^\\n]*-->\\n\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!m) throw new Error(`${readmePath} has no \`\`\`${lang} block marked as ${file}`);
  return m[1]!;
}

/** A running example: its output lines so far, a wait for a line, and a graceful stop. */
export function runExample(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return {
    lines,
    async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find((l) => pattern.test(l));
        if (hit) return hit;
        if (child.exitCode !== null || Date.now() > end)
          throw new Error(`no line matching ${pattern}; output:\n${lines.join('\n')}\nstderr:\n${stderr.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** SIGTERM, as a process manager stops a server; resolves with the exit code. */
    async stop(): Promise<{ code: number | null; stderr: string }> {
      if (child.exitCode === null) child.kill('SIGTERM');
      return { code: await exited, stderr };
    },
  };
}
