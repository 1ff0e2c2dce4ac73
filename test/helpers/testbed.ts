// Test access to the running testbed (brought up by global-setup.ts, or here when
// a test file is run on its own).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { SshSession } from '../../src/ssh/session.ts';
import { type TestbedEnv, up } from '../../testbed/index.ts';
import type { SshNode } from '../../testbed/lib/ssh-nodes.ts';

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

/** An SSH session to a testbed master node as its helm user (password login, host key pinned). */
export function sshToNode(node: SshNode): Promise<SshSession> {
  return SshSession.connect({
    host: node.host,
    port: node.port,
    username: node.user,
    password: node.password,
    hostKey: node.hostKey,
  });
}
