// The rules of a VIM given inline in vimConnectionInfo (src/vim/inline.ts): which
// entries are one, the Vim built from them (fields checked and named as the request
// has them, PEM read even when flattened to one line), and the PATCH rule — a moved
// endpoint or trust needs the secrets again, '***' keeps them only where nothing moved.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ProblemError } from '../../src/errors.ts';
import type { VimConnectionInfo } from '../../src/lcm/model.ts';
import { givesAccess, inlineVim, normalizePem, requireInlineSecretsAgain } from '../../src/vim/inline.ts';
import { type KeyPair, selfSigned } from '../helpers/listeners.ts';

let ca: KeyPair;
let other: KeyPair;
before(async () => {
  ca = await selfSigned();
  other = await selfSigned();
});

const TOKEN = 'tok-0123456789abcdef';
const entry = (over: Partial<VimConnectionInfo> = {}): VimConnectionInfo => ({
  id: 'vim1',
  vimType: 'ETSINFV.HELM.V_3',
  interfaceInfo: { endpoint: 'https://10.0.0.10:6443', ssl_ca_cert: ca.cert },
  accessInfo: { bearer_token: TOKEN },
  ...over,
});

function refused(f: () => unknown, detail: RegExp) {
  assert.throws(f, (e) => e instanceof ProblemError && e.status === 400 && detail.test(e.message));
}

describe('VIM given inline', () => {
  test('an entry with access of its own is one; a bare vimId is not', () => {
    assert.equal(givesAccess(entry()), true);
    assert.equal(givesAccess({ id: 'a', vimId: 'v', vimType: 'kubernetes' }), false);
    assert.equal(givesAccess({ id: 'a', vimType: 'kubernetes', accessInfo: {} }), false);
  });

  test('the Vim the drivers use: endpoint, CA and token, local helm, one per instance', () => {
    const vim = inlineVim(entry(), 'inst-1');
    assert.equal(vim.id, 'inline-inst-1');
    assert.equal(vim.inline, true);
    assert.equal(vim.authUrl, 'https://10.0.0.10:6443');
    assert.deepEqual(vim.authCred, { bearer_token: TOKEN, ssl_ca_cert: normalizePem(ca.cert) });
    assert.deepEqual(vim.extra, {}, 'no master nodes');
    for (const vimType of ['ETSINFV.KUBERNETES.V_1', 'kubernetes'])
      assert.equal(inlineVim(entry({ vimType }), 'x').authUrl, 'https://10.0.0.10:6443');
    const cert = inlineVim(
      entry({ accessInfo: { client_cert: ca.cert.replace(/\n/g, ' '), client_key: ca.key } }),
      'x',
    );
    assert.equal(cert.authCred.client_cert, normalizePem(ca.cert), 'a flattened PEM is rewrapped');
  });

  test('each bad field is a 400 naming it as the request has it', () => {
    const at = 'vimConnectionInfo[2]';
    const bad = (over: Partial<VimConnectionInfo>, detail: RegExp) =>
      refused(() => inlineVim(entry(over), 'x', at), detail);
    bad({ vimType: 'ETSINFV.OPENSTACK_KEYSTONE.V_3' }, /^vimConnectionInfo\[2\]\.vimType/);
    bad(
      { interfaceInfo: { endpoint: 'http://10.0.0.10:6443' } },
      /\[2\]\.interfaceInfo\.endpoint must be an https/,
    );
    bad({ interfaceInfo: { endpoint: 'https://u:p@10.0.0.10' } }, /endpoint must not contain credentials/);
    bad({ interfaceInfo: { endpoint: 'https://10.0.0.10/?x=1' } }, /endpoint must not have a query/);
    bad({ interfaceInfo: { endpoint: 'not a url' } }, /endpoint: "not a url" is not a URL/);
    bad({ interfaceInfo: { ssl_ca_cert: ca.cert } }, /interfaceInfo\.endpoint is required/);
    bad({ interfaceInfo: { endpoint: 'https://h', proxy: 'x' } }, /interfaceInfo\.proxy: not supported/);
    bad({ accessInfo: undefined }, /\[2\]\.accessInfo is required/);
    bad({ accessInfo: {} }, /\[2\]\.accessInfo needs bearer_token, or client_cert with client_key/);
    bad(
      { accessInfo: { bearer_token: '***' } },
      /accessInfo\.bearer_token: '\*\*\*' stands for a stored secret/,
    );
    bad({ accessInfo: { bearer_token: 'a b' } }, /accessInfo\.bearer_token must be printable ASCII/);
    bad({ accessInfo: { oidc_token_url: 'https://idp' } }, /accessInfo\.oidc_token_url: not supported/);
    bad(
      { accessInfo: { client_cert: ca.cert, client_key: other.key } },
      /accessInfo\.client_key does not belong to vimConnectionInfo\[2\]\.accessInfo\.client_cert/,
    );
    bad(
      { interfaceInfo: { endpoint: 'https://h', ssl_ca_cert: 'garbage' } },
      /interfaceInfo\.ssl_ca_cert must be PEM certificates/,
    );
    bad(
      { extra: { helm_info: { masternode_ip: ['10.0.0.1'] } } },
      /extra\.helm_info: a VIM given inline runs helm on the VNFM host/,
    );
  });

  test('PATCH: a moved endpoint or CA needs the token again; "***" keeps it only where nothing moved', () => {
    const current = entry();
    const merge = (patch: { interfaceInfo?: object; accessInfo?: object }) =>
      ({
        ...current,
        interfaceInfo: { ...current.interfaceInfo, ...patch.interfaceInfo },
        accessInfo: { ...current.accessInfo, ...patch.accessInfo },
      }) as VimConnectionInfo;
    const check = (patch: { interfaceInfo?: object; accessInfo?: object }) =>
      requireInlineSecretsAgain(current, merge(patch), patch as never, 'x', 'vimConnectionInfo[0]');

    for (const patch of [
      { interfaceInfo: { endpoint: 'https://evil.example:6443' } },
      { interfaceInfo: { endpoint: 'https://evil.example:6443' }, accessInfo: { bearer_token: '***' } },
      { interfaceInfo: { ssl_ca_cert: other.cert } },
    ])
      refused(
        () => check(patch),
        /^vimConnectionInfo\[0\]\.interfaceInfo\.(endpoint|ssl_ca_cert) changed: vimConnectionInfo\[0\]\.accessInfo\.bearer_token must be given again/,
      );
    const moved = check({
      interfaceInfo: { endpoint: 'https://10.0.0.11:6443' },
      accessInfo: { bearer_token: 'new-token-123' },
    });
    assert.equal(moved.accessInfo?.bearer_token, 'new-token-123');
    const kept = check({ accessInfo: { bearer_token: '***' } });
    assert.equal(kept.accessInfo?.bearer_token, TOKEN, "'***' stands for the stored token");
    const reformatted = check({ interfaceInfo: { ssl_ca_cert: ca.cert.replace(/\n/g, ' ') } });
    assert.equal(reformatted.accessInfo?.bearer_token, TOKEN, 'the same CA written otherwise moves nothing');
  });
});
