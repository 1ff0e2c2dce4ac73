// Test access to the running testbed (brought up by global-setup.ts, or here when
// a test file is run on its own).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { type TestbedEnv, up } from '../../testbed/index.ts';

let env: Promise<TestbedEnv> | undefined;

export function testbed(): Promise<TestbedEnv> {
  env ??= up();
  return env;
}

export async function kubeClient(): Promise<CoreV1Api> {
  const kc = new KubeConfig();
  kc.loadFromFile((await testbed()).kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}
