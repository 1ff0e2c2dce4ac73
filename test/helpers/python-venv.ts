// The Python venv the tests drive (the Tacker CLI, schemathesis), made or found
// cached by testbed/scripts/python-venv.sh, which scripts/test.sh runs first.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The venv's bin directory. */
export async function venvBin(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['testbed/scripts/python-venv.sh'], {
    timeout: 1_200_000,
  });
  return stdout.trim();
}
