// Builds the sample Kubernetes-cluster VNF package (a CSAR zip) from this directory:
// TOSCA.meta's artifact blocks are written from the files' SHA-256 (the MgmtDriver
// stages only hashed files), and files can be swapped (tests put the testbed's install
// script at Scripts/install_k8s_cluster.sh).
//
//   node samples/kubernetes-cluster/build.ts <out.zip> [--k8s-script <file>] [--vnfd-id <uuid>]
//   node samples/kubernetes-cluster/build.ts --write-meta   (rewrites TOSCA-Metadata/TOSCA.meta here)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { artifactBlocks, zipCsar } from '../../src/packages/build.ts';

export const SAMPLE_DIR = dirname(fileURLToPath(import.meta.url));
export const ENTRY_DEFINITIONS = 'Definitions/sample_kubernetes_top.vnfd.yaml';
export const SAMPLE_VNFD_ID = '4c3e5f0a-9b2d-4e7c-8a61-0d5b7e2f9c11';
export const K8S_SCRIPT = 'Scripts/install_k8s_cluster.sh';
export const HELM_SCRIPT = 'Scripts/install_helm.sh';
export const META = 'TOSCA-Metadata/TOSCA.meta';
/** In this directory, not in the package. */
const NOT_PACKAGED = ['build.ts', 'requests/'];

export interface BuildOptions {
  /** descriptor_id to write instead of the sample's (onboard the sample more than once). */
  vnfdId?: string;
  /** Package path → content, replacing or adding files (undefined removes one). */
  files?: Record<string, string | Buffer | undefined>;
}

function sampleFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const e of readdirSync(SAMPLE_DIR, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = relative(SAMPLE_DIR, join(e.parentPath, e.name)).split(sep).join('/');
    if (NOT_PACKAGED.some((n) => path === n || path.startsWith(n))) continue;
    files.set(path, readFileSync(join(SAMPLE_DIR, path)));
  }
  return files;
}

const contentType = (path: string) =>
  path.endsWith('.sh')
    ? 'application/x-sh'
    : path.endsWith('.py')
      ? 'text/x-python'
      : path.endsWith('.gz') || path.endsWith('.tgz')
        ? 'application/gzip'
        : 'text/plain';

/** TOSCA.meta with a hash block for every file under Scripts/ and Files/. */
export function toscaMeta(files: ReadonlyMap<string, Buffer>): string {
  const hashed = [...files]
    .filter(([p]) => p.startsWith('Scripts/') || p.startsWith('Files/'))
    .map(([path, data]) => ({ path, data }));
  return `TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nCreated-by: Helm VNFM samples\nEntry-Definitions: ${ENTRY_DEFINITIONS}\n\n${artifactBlocks(hashed, contentType)}`;
}

/** The package's files (path → bytes), TOSCA.meta written last. */
export function packageFiles(opts: BuildOptions = {}): Map<string, Buffer> {
  const files = sampleFiles();
  if (opts.vnfdId)
    for (const [path, data] of files)
      if (path.startsWith('Definitions/'))
        files.set(path, Buffer.from(data.toString('utf8').replaceAll(SAMPLE_VNFD_ID, opts.vnfdId)));
  for (const [path, data] of Object.entries(opts.files ?? {})) {
    if (data === undefined) files.delete(path);
    else files.set(path, Buffer.isBuffer(data) ? data : Buffer.from(data));
  }
  files.set(META, Buffer.from(toscaMeta(files)));
  return files;
}

/** The package as zip bytes (deterministic: src/packages/build.ts zipCsar). */
export async function buildPackage(opts: BuildOptions = {}): Promise<Buffer> {
  return zipCsar(
    [...packageFiles(opts)].map(([path, data]) => ({ path, data, executable: path.endsWith('.sh') })),
  );
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'k8s-script': { type: 'string' },
      'vnfd-id': { type: 'string' },
      'write-meta': { type: 'boolean' },
    },
  });
  if (values['write-meta']) {
    writeFileSync(join(SAMPLE_DIR, META), packageFiles().get(META)!);
  } else {
    const out = positionals[0];
    if (!out) {
      console.error('usage: build.ts <out.zip> [--k8s-script <file>] [--vnfd-id <uuid>] | --write-meta');
      process.exit(2);
    }
    const k8s = values['k8s-script'];
    writeFileSync(
      out,
      await buildPackage({
        ...(values['vnfd-id'] ? { vnfdId: values['vnfd-id'] } : {}),
        ...(k8s ? { files: { [K8S_SCRIPT]: readFileSync(k8s) } } : {}),
      }),
    );
  }
}
