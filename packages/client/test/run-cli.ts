// Runs the built client bin with stdin piped, as users run it in scripts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Runs the bin; `input` null keeps stdin open (only the server can end the session). */
export function runCli(args: string[], input: string | null) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== null) child.stdin.end(input);
    child.stdin.on('error', () => {});
  });
}
