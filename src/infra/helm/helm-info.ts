// Master-node access for Helm mode: which master nodes helm may run on for one
// instance, and with which credentials and host-key pin each. The VIM's
// `extra.helm_info` and the instantiate request's `vimConnectionInfo[].extra.helm_info`
// both have a say, under one rule: the VIM's secrets and pins are bound to the master
// nodes the VIM lists. A request may
//   - narrow or reorder the VIM's masters, and give its own credentials for them
//     ('***', copied from GET /v1.0/vims, stands for the VIM's stored secret);
//   - name other masters only with their own password or key (the VIM's are never
//     sent there, and what those hosts present is never recorded in the VIM);
//   - pin keys for unpinned masters, but never replace a key the VIM pins.
// Validated at accept (400) and resolved again, against the VIM as it is then, each
// time connections are opened (hosts.ts).
import { badRequest } from '../../errors.ts';
import { type HelmInfo, MASK } from '../../vim/model.ts';
import {
  helmInfoPin,
  masterIdentity,
  type MasterNode,
  masterNodes,
  nodeLabel,
  pinFingerprint,
  readHelmInfo,
} from '../../vim/helm-fields.ts';

export { helmInfoPin, type MasterNode, masterNodes, nodeLabel } from '../../vim/helm-fields.ts';

/** One master node as helm may use it: its own credentials and pin, in helm_info's shape. */
export interface MasterAccess {
  node: MasterNode;
  /** helm_info for this node alone (what SshTransport.connect takes). */
  info: HelmInfo;
  /** Listed by the VIM: the VIM's secrets and pins apply, and a key it shows on first use is recorded in the VIM. */
  vimMaster: boolean;
}

const REQUEST_FIELD = 'vimConnectionInfo.extra.helm_info';

/** The user name helm_info's masternode_usernames gives a node, by its masternode_ip entry or its host. */
function userFor(info: Partial<HelmInfo> | undefined, node: MasterNode): string | undefined {
  const users = info?.masternode_usernames ?? {};
  return Object.hasOwn(users, node.address)
    ? users[node.address]
    : Object.hasOwn(users, node.host)
      ? users[node.host]
      : undefined;
}

/**
 * The masters helm may use for an instance, with each one's access. `vimHelmInfo` is the
 * VIM's helm_info with its secrets; `requestHelmInfo` the request's (JSON or Python-dict
 * string), absent when the request names none. Throws a 400 ProblemError naming the field
 * when the request breaks the rule above.
 */
export function resolveMasters(
  vimHelmInfo: HelmInfo | string | undefined,
  requestHelmInfo: unknown,
): MasterAccess[] {
  const vim = vimHelmInfo === undefined ? undefined : readHelmInfo(vimHelmInfo, 'extra.helm_info', false);
  const req =
    requestHelmInfo === undefined || requestHelmInfo === null
      ? undefined
      : readHelmInfo(requestHelmInfo, REQUEST_FIELD, true);
  const vimNodes = new Map(masterNodes(vim).map((n) => [masterIdentity(n), n]));
  const listed =
    req?.masternode_ip !== undefined || req?.masternode_port !== undefined
      ? masterNodes({
          masternode_ip: req.masternode_ip ?? vim?.masternode_ip ?? [],
          ...((req.masternode_port ?? vim?.masternode_port) !== undefined
            ? { masternode_port: (req.masternode_port ?? vim?.masternode_port)! }
            : {}),
        })
      : [...vimNodes.values()];
  return listed.map((asked) => {
    const vimNode = vimNodes.get(masterIdentity(asked));
    const node = vimNode ?? asked;
    const reqPin = req && (helmInfoPin(asked, req) ?? helmInfoPin(node, req));
    const vimPin = vimNode && vim ? helmInfoPin(vimNode, vim) : undefined;
    if (vimPin && reqPin && pinFingerprint(vimPin) !== pinFingerprint(reqPin))
      throw badRequest(
        `${REQUEST_FIELD}.masternode_host_keys: the VIM pins the host key of its master node ${node.address}; a request cannot replace it`,
      );
    const secret = (k: 'masternode_password' | 'masternode_private_key') => {
      const given = req?.[k];
      if (given !== MASK) return given ?? (vimNode ? vim?.[k] : undefined);
      if (!vimNode)
        throw badRequest(
          `${REQUEST_FIELD}.${k}: '${MASK}' stands for the VIM's stored secret, which is used only for the VIM's master nodes; ${nodeLabel(asked)} is not one of them: give its own ${k}`,
        );
      const stored = vim?.[k];
      if (stored === undefined)
        throw badRequest(`${REQUEST_FIELD}.${k}: '${MASK}' given, but the VIM stores no ${k}`);
      return stored;
    };
    const password = secret('masternode_password');
    const privateKey = secret('masternode_private_key');
    if (password === undefined && privateKey === undefined)
      throw badRequest(
        vimNode
          ? `${REQUEST_FIELD}: master node ${node.address} has neither masternode_password nor masternode_private_key`
          : `${REQUEST_FIELD}: ${nodeLabel(asked)} is not a master node of the VIM; a request naming it must give its masternode_password or masternode_private_key`,
      );
    // The user name is no secret: a request-named master may use the VIM's. A per-address
    // name (masternode_usernames: masters of one cluster that log in as different users) wins.
    const username =
      userFor(req, asked) ??
      req?.masternode_username ??
      (vimNode && vim ? userFor(vim, vimNode) : undefined) ??
      vim?.masternode_username;
    if (!username)
      throw badRequest(`${REQUEST_FIELD}: no masternode_username for master node ${node.address}`);
    const pin = vimPin ?? reqPin;
    const info: HelmInfo = {
      masternode_ip: [node.address],
      masternode_username: username,
      masternode_port: node.port,
      ...(password !== undefined ? { masternode_password: password } : {}),
      ...(privateKey !== undefined ? { masternode_private_key: privateKey } : {}),
      ...(pin !== undefined ? { masternode_host_keys: { [node.address]: pin } } : {}),
    };
    return { node, info, vimMaster: vimNode !== undefined };
  });
}
