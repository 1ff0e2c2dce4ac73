// `npm run testbed -- up|env|down|status`: the testbed for developers' terminals.
import { down, exportLines, readEnv, up } from './index.ts';
import { stateDir } from './lib/paths.ts';

const usage = 'usage: npm run testbed -- up | env | down | status';

async function main(cmd: string | undefined): Promise<number> {
  const info = (m: string) => process.stderr.write(`[testbed] ${m}\n`);
  switch (cmd) {
    case 'up':
      process.stdout.write(exportLines(await up(info)));
      info(`logs in ${stateDir}/logs; stop with: npm run testbed -- down`);
      return 0;
    case 'env': {
      const env = readEnv();
      if (!env) {
        info('the testbed is not up (npm run testbed -- up)');
        return 1;
      }
      process.stdout.write(exportLines(env));
      return 0;
    }
    case 'status':
      info(readEnv() ? 'up' : 'down');
      return readEnv() ? 0 : 1;
    case 'down':
      await down();
      info('down');
      return 0;
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`[testbed] FAILED: ${e.message}\n`);
    process.exit(1);
  },
);
