// Every request body has one strict schema (src/api/schemas): an unknown field, a
// wrong type or an out-of-bound value is a 400 ProblemDetails naming the field, and
// nothing is started or stored; the forms Tacker and its operators send still pass.
// Against a real server on SQLite; the last test runs the accepted forms on the
// testbed cluster.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { HELM_PARAMETER_LIMITS, MAX_GRACEFUL_TERMINATION_SECONDS } from '../../src/api/schemas/index.ts';
import { CHART_PATH, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

let vnfm: TestVnfm;
let vnfdId = '';
let pkgId = '';
/** A NOT_INSTANTIATED instance: a body that passes its schema meets 409 (or a semantic 400) there. */
let idle = '';

before(async () => {
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 60 });
  ({ vnfdId, pkgId } = await onboardPackage(vnfm));
  idle = await createInstance(vnfm, vnfdId, 'idle');
});
after(() => vnfm.close());

const opOccCount = async () => (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body.length;
const inst = (id: string, task = '') =>
  `/vnflcm/v1/vnf_instances${id ? `/${id}` : ''}${task ? `/${task}` : ''}`;
const long = (n: number) => 'x'.repeat(n);

/** Sends the request; asserts a 400 ProblemDetails whose detail matches `detail`. */
async function rejected(method: string, path: string, body: unknown, detail: RegExp) {
  const res = await vnfm.request(method, path, body);
  assert.equal(
    res.status,
    400,
    `${method} ${path} ${JSON.stringify(body).slice(0, 200)}: ${JSON.stringify(res.body)}`,
  );
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.status, 400);
  assert.equal(res.body.title, 'Bad Request');
  assert.match(res.body.detail, detail);
  return res.body;
}

/** name, method, path (read when the test runs), body, the detail the 400 must match. */
type RejectedCase = [string, string, () => string, unknown, RegExp];

/** One test per case: a 400 naming the problem, and no op occ created. */
function rejectedCases(cases: RejectedCase[]) {
  for (const [name, method, path, body, detail] of cases) {
    test(name, async () => {
      const before = await opOccCount();
      await rejected(method, path(), body, detail);
      assert.equal(await opOccCount(), before);
    });
  }
}

/** The body passed its schema: whatever the answer, it is not a schema 400. */
async function schemaPassed(method: string, path: string, body: unknown, status: number) {
  const res = await vnfm.request(method, path, body);
  assert.equal(res.status, status, JSON.stringify(res.body));
  if (res.body?.detail) assert.doesNotMatch(res.body.detail, /^body/);
  return res;
}

const vimBody = (over: Record<string, unknown> = {}) => ({
  vim: {
    name: 'k8s',
    type: 'kubernetes',
    auth_url: 'https://127.0.0.1:6443',
    auth_cred: { bearer_token: 'token' },
    ...over,
  },
});

const tackerHelmInstantiate = (vimId: string) => ({
  flavourId: 'helmchart',
  instantiationLevelId: 'instantiation_level_1',
  vimConnectionInfo: [
    {
      id: 'vim1',
      vimId,
      vimType: 'kubernetes',
      extra: { helm_info: "{'masternode_ip': ['127.0.0.2'], 'masternode_username': 'vnfmtb'}" },
    },
  ],
  additionalParams: {
    namespace: 'default',
    use_helm: 'true',
    using_helm_install_param: [
      {
        exthelmchart: 'false',
        helmchartfile_path: CHART_PATH,
        helmreleasename: 'vdu1',
        helmparameter: ['service.port=8081'],
      },
      {
        exthelmchart: 'true',
        helmreleasename: 'vdu2',
        helmrepositoryname: 'bitnami',
        helmchartname: 'apache',
        exthelmrepo_url: 'https://charts.bitnami.com/bitnami',
      },
    ],
    helm_replica_values: { vdu1_aspect: 'replicaCount' },
    vdu_mapping: { VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' } },
  },
});

describe('unknown fields are a 400 naming them', () => {
  test('the heal typo vnfcInstanceIds starts nothing', async () => {
    const before = await opOccCount();
    await rejected(
      'POST',
      inst(idle, 'heal'),
      { vnfcInstanceIds: ['x'] },
      /^body\/vnfcInstanceIds: unknown field$/,
    );
    assert.equal(await opOccCount(), before, 'no op occ created');
  });

  const cases: RejectedCase[] = [
    [
      'vims POST',
      'POST',
      () => '/v1.0/vims',
      { vim: { ...vimBody().vim, colour: 'red' } },
      /body\/vim\/colour: unknown field/,
    ],
    [
      'vims auth_cred',
      'POST',
      () => '/v1.0/vims',
      vimBody({ auth_cred: { token: 't' } }),
      /body\/vim\/auth_cred\/token: unknown field/,
    ],
    [
      'vims extra',
      'POST',
      () => '/v1.0/vims',
      vimBody({ extra: { helm_inf: {} } }),
      /body\/vim\/extra\/helm_inf: unknown field/,
    ],
    [
      'vims helm_info',
      'POST',
      () => '/v1.0/vims',
      vimBody({ extra: { helm_info: { masternode_ip: ['10.0.0.1'], masternode_pasword: 'p' } } }),
      /body\/vim\/extra\/helm_info\/masternode_pasword: unknown field/,
    ],
    [
      'vims PATCH',
      'PATCH',
      () => '/v1.0/vims/some-id',
      { vim: { nmae: 'n' } },
      /body\/vim\/nmae: unknown field/,
    ],
    [
      'vims PUT top level',
      'PUT',
      () => '/v1.0/vims/some-id',
      { vim: {}, other: 1 },
      /body\/other: unknown field/,
    ],
    [
      'create instance',
      'POST',
      () => inst(''),
      { vnfdId: 'x', vnfInstanceNme: 'n' },
      /body\/vnfInstanceNme: unknown field/,
    ],
    ['modify instance', 'PATCH', () => inst(idle), { vnfdID: 'other' }, /body\/vnfdID: unknown field/],
    [
      'instantiate',
      'POST',
      () => inst(idle, 'instantiate'),
      { flavourId: 'helmchart', flavor: 'x' },
      /body\/flavor: unknown field/,
    ],
    [
      'instantiate additionalParams',
      'POST',
      () => inst(idle, 'instantiate'),
      { flavourId: 'helmchart', additionalParams: { use_hlem: true } },
      /body\/additionalParams\/use_hlem: unknown field/,
    ],
    [
      'using_helm_install_param item',
      'POST',
      () => inst(idle, 'instantiate'),
      {
        flavourId: 'helmchart',
        additionalParams: { using_helm_install_param: [{ helmreleasename: 'a', helmparameters: [] }] },
      },
      /body\/additionalParams\/using_helm_install_param\/0\/helmparameters: unknown field/,
    ],
    [
      'vimConnectionInfo item',
      'POST',
      () => inst(idle, 'instantiate'),
      { flavourId: 'helmchart', vimConnectionInfo: [{ id: 'v', vimType: 'kubernetes', vim_id: 'x' }] },
      /body\/vimConnectionInfo\/0\/vim_id: unknown field/,
    ],
    [
      'scale',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_OUT', aspectId: 'a', steps: 2 },
      /body\/steps: unknown field/,
    ],
    [
      'scale additionalParams',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_OUT', aspectId: 'a', additionalParams: { x: 1 } },
      /body\/additionalParams\/x: unknown field/,
    ],
    [
      'scale_to_level',
      'POST',
      () => inst(idle, 'scale_to_level'),
      { instantiationLevel: 'l' },
      /body\/instantiationLevel: unknown field/,
    ],
    [
      'scaleInfo item',
      'POST',
      () => inst(idle, 'scale_to_level'),
      { scaleInfo: [{ aspectId: 'a', scaleLevel: 1, level: 2 }] },
      /body\/scaleInfo\/0\/level: unknown field/,
    ],
    [
      'terminate',
      'POST',
      () => inst(idle, 'terminate'),
      { terminationType: 'FORCEFUL', timeout: 1 },
      /body\/timeout: unknown field/,
    ],
    [
      'cancel',
      'POST',
      () => '/vnflcm/v1/vnf_lcm_op_occs/some-id/cancel',
      { mode: 'FORCEFUL' },
      /body\/mode: unknown field/,
    ],
    [
      'create package',
      'POST',
      () => '/vnfpkgm/v1/vnf_packages',
      { userDefined: {} },
      /body\/userDefined: unknown field/,
    ],
    [
      'modify package',
      'PATCH',
      () => `/vnfpkgm/v1/vnf_packages/${pkgId}`,
      { operationalState: 'ENABLED', usageState: 'IN_USE' },
      /body\/usageState: unknown field/,
    ],
    [
      'upload from URI',
      'POST',
      () => `/vnfpkgm/v1/vnf_packages/${pkgId}/package_content/upload_from_uri`,
      { addressInformation: 'http://127.0.0.1/p.zip', username: 'u' },
      /body\/username: unknown field/,
    ],
  ];
  rejectedCases(cases);
});

describe('types are not coerced', () => {
  const cases: RejectedCase[] = [
    [
      'numberOfSteps true',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_OUT', aspectId: 'a', numberOfSteps: true },
      /body\/numberOfSteps: must be integer/,
    ],
    [
      'numberOfSteps "1"',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_OUT', aspectId: 'a', numberOfSteps: '1' },
      /body\/numberOfSteps: must be integer/,
    ],
    [
      'numberOfSteps 1.5',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_OUT', aspectId: 'a', numberOfSteps: 1.5 },
      /body\/numberOfSteps: must be integer/,
    ],
    [
      'scale type',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'scale_out', aspectId: 'a' },
      /body\/type: must be "SCALE_OUT" or "SCALE_IN"/,
    ],
    [
      'scaleInfo: [null]',
      'POST',
      () => inst(idle, 'scale_to_level'),
      { scaleInfo: [null] },
      /body\/scaleInfo\/0: must be object/,
    ],
    [
      'scaleLevel "1"',
      'POST',
      () => inst(idle, 'scale_to_level'),
      { scaleInfo: [{ aspectId: 'a', scaleLevel: '1' }] },
      /body\/scaleInfo\/0\/scaleLevel: must be integer/,
    ],
    [
      'vnfcInstanceId a string',
      'POST',
      () => inst(idle, 'heal'),
      { vnfcInstanceId: 'abc' },
      /body\/vnfcInstanceId: must be array/,
    ],
    [
      'vnfcInstanceId [1]',
      'POST',
      () => inst(idle, 'heal'),
      { vnfcInstanceId: [1] },
      /body\/vnfcInstanceId\/0: must be string/,
    ],
    [
      'gracefulTerminationTimeout "5"',
      'POST',
      () => inst(idle, 'terminate'),
      { terminationType: 'GRACEFUL', gracefulTerminationTimeout: '5' },
      /body\/gracefulTerminationTimeout: must be integer/,
    ],
    [
      'terminationType missing',
      'POST',
      () => inst(idle, 'terminate'),
      {},
      /body\/terminationType: is required/,
    ],
    ['vnfdId a number', 'POST', () => inst(''), { vnfdId: 7 }, /body\/vnfdId: must be string/],
    [
      'metadata an array',
      'POST',
      () => inst(''),
      { vnfdId: 'x', metadata: [1] },
      /body\/metadata: must be object/,
    ],
    [
      'extensions a string',
      'PATCH',
      () => inst(idle),
      { extensions: 'x' },
      /body\/extensions: must be object/,
    ],
    [
      'use_helm "yes"',
      'POST',
      () => inst(idle, 'instantiate'),
      { flavourId: 'f', additionalParams: { use_helm: 'yes' } },
      /body\/additionalParams\/use_helm: must be true or false/,
    ],
    [
      'helmparameter a string',
      'POST',
      () => inst(idle, 'instantiate'),
      { flavourId: 'f', additionalParams: { using_helm_install_param: [{ helmparameter: 'a=b' }] } },
      /body\/additionalParams\/using_helm_install_param\/0\/helmparameter: must be array/,
    ],
    [
      'is_default "true"',
      'POST',
      () => '/v1.0/vims',
      vimBody({ is_default: 'true' }),
      /body\/vim\/is_default: must be boolean/,
    ],
    [
      'helm_info a number',
      'POST',
      () => '/v1.0/vims',
      vimBody({ extra: { helm_info: 5 } }),
      /body\/vim\/extra\/helm_info: must be an object or a string holding a Python dict/,
    ],
    [
      'masternode_port "ssh"',
      'POST',
      () => '/v1.0/vims',
      vimBody({ extra: { helm_info: { masternode_port: 'ssh' } } }),
      /body\/vim\/extra\/helm_info\/masternode_port: must be a port number 1-65535/,
    ],
    [
      'cancelMode',
      'POST',
      () => '/vnflcm/v1/vnf_lcm_op_occs/some-id/cancel',
      { cancelMode: 'SOFT' },
      /body\/cancelMode: must be "GRACEFUL" or "FORCEFUL"/,
    ],
    [
      'package body an array',
      'POST',
      () => '/vnfpkgm/v1/vnf_packages',
      [],
      /^body: must be a JSON object, got an array$/,
    ],
    [
      'operationalState',
      'PATCH',
      () => `/vnfpkgm/v1/vnf_packages/${pkgId}`,
      { operationalState: 'enabled' },
      /body\/operationalState: must be "ENABLED" or "DISABLED"/,
    ],
  ];
  rejectedCases(cases);
});

describe('every string, number and list is bounded', () => {
  const manyKeys = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
  const cases: RejectedCase[] = [
    [
      'gracefulTerminationTimeout 2^31',
      'POST',
      () => inst(idle, 'terminate'),
      { terminationType: 'GRACEFUL', gracefulTerminationTimeout: 2 ** 31 },
      new RegExp(`body/gracefulTerminationTimeout: must be <= ${MAX_GRACEFUL_TERMINATION_SECONDS}`),
    ],
    [
      'gracefulTerminationTimeout -1',
      'POST',
      () => inst(idle, 'terminate'),
      { terminationType: 'GRACEFUL', gracefulTerminationTimeout: -1 },
      /body\/gracefulTerminationTimeout: must be >= 0/,
    ],
    [
      'numberOfSteps 0',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_IN', aspectId: 'a', numberOfSteps: 0 },
      /body\/numberOfSteps: must be >= 1/,
    ],
    [
      'numberOfSteps 1e9',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_IN', aspectId: 'a', numberOfSteps: 1e9 },
      /body\/numberOfSteps: must be <= /,
    ],
    [
      'scaleLevel -1',
      'POST',
      () => inst(idle, 'scale_to_level'),
      { scaleInfo: [{ aspectId: 'a', scaleLevel: -1 }] },
      /body\/scaleInfo\/0\/scaleLevel: must be >= 0/,
    ],
    [
      'scaleInfo empty',
      'POST',
      () => inst(idle, 'scale_to_level'),
      { scaleInfo: [] },
      /body\/scaleInfo: must NOT have fewer than 1 items/,
    ],
    [
      'aspectId 256',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_IN', aspectId: long(256) },
      /body\/aspectId: must NOT have more than 255 characters/,
    ],
    [
      'aspectId empty',
      'POST',
      () => inst(idle, 'scale'),
      { type: 'SCALE_IN', aspectId: '' },
      /body\/aspectId: must NOT have fewer than 1 characters/,
    ],
    [
      'vnfcInstanceId 1001 ids',
      'POST',
      () => inst(idle, 'heal'),
      { vnfcInstanceId: Array.from({ length: 1001 }, (_, i) => `p${i}`) },
      /body\/vnfcInstanceId: must NOT have more than 1000 items/,
    ],
    [
      'cause 1025',
      'POST',
      () => inst(idle, 'heal'),
      { cause: long(1025) },
      /body\/cause: must NOT have more than 1024 characters/,
    ],
    [
      'vnfInstanceName 256',
      'POST',
      () => inst(''),
      { vnfdId: 'x', vnfInstanceName: long(256) },
      /body\/vnfInstanceName: must NOT have more than 255 characters/,
    ],
    [
      'vnfInstanceDescription 1025',
      'PATCH',
      () => inst(idle),
      { vnfInstanceDescription: long(1025) },
      /body\/vnfInstanceDescription: must NOT have more than 1024 characters/,
    ],
    [
      'metadata 101 keys',
      'POST',
      () => inst(''),
      { vnfdId: 'x', metadata: manyKeys },
      /body\/metadata: must NOT have more than 100 properties/,
    ],
    [
      'metadata key 256',
      'POST',
      () => inst(''),
      { vnfdId: 'x', metadata: { [long(256)]: 1 } },
      /body\/metadata: key "x{100}…" is too long/,
    ],
    [
      'userDefinedData 101 keys',
      'POST',
      () => '/vnfpkgm/v1/vnf_packages',
      { userDefinedData: manyKeys },
      /body\/userDefinedData: must NOT have more than 100 properties/,
    ],
    [
      'auth_url 2049',
      'POST',
      () => '/v1.0/vims',
      vimBody({ auth_url: `https://${long(2041)}` }),
      /body\/vim\/auth_url: must NOT have more than 2048 characters/,
    ],
    [
      'ssl_ca_cert over 64 KiB',
      'POST',
      () => '/v1.0/vims',
      vimBody({ auth_cred: { bearer_token: 't', ssl_ca_cert: long(64 * 1024 + 1) } }),
      /body\/vim\/auth_cred\/ssl_ca_cert: must NOT have more than 65536 characters/,
    ],
    [
      '17 master nodes',
      'POST',
      () => '/v1.0/vims',
      vimBody({
        extra: { helm_info: { masternode_ip: Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`) } },
      }),
      /body\/vim\/extra\/helm_info\/masternode_ip: must NOT have more than 16 items/,
    ],
    [
      'masternode_port 70000',
      'POST',
      () => '/v1.0/vims',
      vimBody({ extra: { helm_info: { masternode_port: 70000 } } }),
      /body\/vim\/extra\/helm_info\/masternode_port: must be <= 65535/,
    ],
    [
      'addressInformation 2049',
      'POST',
      () => `/vnfpkgm/v1/vnf_packages/${pkgId}/package_content/upload_from_uri`,
      { addressInformation: `http://${long(2042)}` },
      /body\/addressInformation: must NOT have more than 2048 characters/,
    ],
    [
      `helmparameter of ${HELM_PARAMETER_LIMITS.length + 1} characters`,
      'POST',
      () => inst(idle, 'instantiate'),
      {
        flavourId: 'f',
        additionalParams: {
          use_helm: true,
          using_helm_install_param: [
            { helmreleasename: 'a', helmparameter: [`k=${long(HELM_PARAMETER_LIMITS.length)}`] },
          ],
        },
      },
      new RegExp(
        `body/additionalParams/using_helm_install_param/0/helmparameter/0: must NOT have more than ${HELM_PARAMETER_LIMITS.length} characters`,
      ),
    ],
    [
      `${HELM_PARAMETER_LIMITS.count + 1} helmparameter entries`,
      'POST',
      () => inst(idle, 'instantiate'),
      {
        flavourId: 'f',
        additionalParams: {
          use_helm: true,
          using_helm_install_param: [
            {
              helmreleasename: 'a',
              helmparameter: Array.from({ length: HELM_PARAMETER_LIMITS.count + 1 }, (_, i) => `k${i}=v`),
            },
          ],
        },
      },
      new RegExp(
        `body/additionalParams/using_helm_install_param/0/helmparameter: must NOT have more than ${HELM_PARAMETER_LIMITS.count} items`,
      ),
    ],
    [
      'extVirtualLinks entry without resourceId',
      'POST',
      () => inst(idle, 'instantiate'),
      { flavourId: 'f', extVirtualLinks: [{ id: 'l', extCps: [{ cpdId: 'CP1' }] }] },
      /body\/extVirtualLinks\/0\/resourceId: is required/,
    ],
    [
      'extVirtualLinks cpConfig with an unknown field',
      'POST',
      () => inst(idle, 'instantiate'),
      {
        flavourId: 'f',
        extVirtualLinks: [
          { id: 'l', resourceId: 'net', extCps: [{ cpdId: 'CP1', cpConfig: [{ linkPort: 'p' }] }] },
        ],
      },
      /body\/extVirtualLinks\/0\/extCps\/0\/cpConfig\/0\/linkPort: unknown field/,
    ],
    [
      'extManagedVirtualLinks given',
      'POST',
      () => inst(idle, 'instantiate'),
      { flavourId: 'f', extManagedVirtualLinks: [{ id: 'l' }] },
      /body\/extManagedVirtualLinks: must NOT have more than 0 items/,
    ],
  ];
  rejectedCases(cases);
});

describe('the forms Tacker and operators send pass their schema', () => {
  test('create, modify and the task bodies reach the instance checks', async () => {
    const created = await schemaPassed(
      'POST',
      inst(''),
      { vnfdId, vnfInstanceName: 'n', vnfInstanceDescription: 'd', metadata: { a: { b: [1] } } },
      201,
    );
    await schemaPassed('PATCH', inst(created.body.id), { vnfInstanceName: 'm', metadata: { a: null } }, 202);
    // Tacker's whole-VNF heal and a GRACEFUL terminate with the longest timeout: 409 on a NOT_INSTANTIATED instance.
    await schemaPassed('POST', inst(idle, 'heal'), { vnfcInstanceId: [] }, 409);
    await schemaPassed('POST', inst(idle, 'heal'), { cause: 'pods stuck', additionalParams: {} }, 409);
    await schemaPassed(
      'POST',
      inst(idle, 'scale'),
      { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 },
      409,
    );
    await schemaPassed(
      'POST',
      inst(idle, 'scale_to_level'),
      { scaleInfo: [{ aspectId: 'vdu1_aspect', scaleLevel: 1 }] },
      409,
    );
    await schemaPassed(
      'POST',
      inst(idle, 'terminate'),
      { terminationType: 'GRACEFUL', gracefulTerminationTimeout: MAX_GRACEFUL_TERMINATION_SECONDS },
      409,
    );
    // Tacker's Helm instantiate body (strings for booleans, helm_info as a Python dict): only the VIM is missing.
    const res = await schemaPassed(
      'POST',
      inst(idle, 'instantiate'),
      tackerHelmInstantiate('no-such-vim'),
      400,
    );
    assert.match(res.body.detail, /VIM no-such-vim does not exist/);
    // cancel with no body at all, and with one.
    await schemaPassed('POST', '/vnflcm/v1/vnf_lcm_op_occs/no-such-op/cancel', undefined, 404);
    await schemaPassed(
      'POST',
      '/vnflcm/v1/vnf_lcm_op_occs/no-such-op/cancel',
      { cancelMode: 'FORCEFUL' },
      404,
    );
  });

  test('packages: create with and without a body, modify', async () => {
    const a = await schemaPassed(
      'POST',
      '/vnfpkgm/v1/vnf_packages',
      { userDefinedData: { key: 'sample_helmchart_functional' } },
      201,
    );
    await schemaPassed('POST', '/vnfpkgm/v1/vnf_packages', undefined, 201);
    await schemaPassed(
      'PATCH',
      `/vnfpkgm/v1/vnf_packages/${a.body.id}`,
      { userDefinedData: { key: null, other: 'v' } },
      200,
    );
  });

  test('on the cluster: Tacker-style VIM and the LCM bodies run to COMPLETED; a typo changes nothing', async () => {
    const vimId = await registerTestbedVim(vnfm, `tacker-${randomBytes(3).toString('hex')}`, {
      helm_info:
        "{'masternode_ip': ['127.0.0.2'], 'masternode_username': 'vnfmtb', 'masternode_password': 'x'}",
      use_helm: true,
      area: 'tokyo@japan',
    });
    const ns = `schemas-${randomBytes(3).toString('hex')}`;
    const id = await createInstance(vnfm, vnfdId, 'tacker-forms');
    // Each helmparameter within its bound, but the release's together over the total one.
    const tooMuch = tackerHelmInstantiate(vimId);
    tooMuch.additionalParams.using_helm_install_param[0]!.helmparameter = Array.from(
      { length: 5 },
      (_, i) => `k${i}=${long(HELM_PARAMETER_LIMITS.length - 4)}`,
    );
    await rejected(
      'POST',
      inst(id, 'instantiate'),
      tooMuch,
      /using_helm_install_param\[0\]\.helmparameter: \d+ characters in all, more than 16384/,
    );
    await runOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
    const vnfcs = async () =>
      (await vnfm.request('GET', inst(id))).body.instantiatedVnfInfo.vnfcResourceInfo.map((v: any) => v.id);
    const before = await vnfcs();
    const ops = await opOccCount();
    await rejected(
      'POST',
      inst(id, 'heal'),
      { vnfcInstanceIds: [before[0]] },
      /body\/vnfcInstanceIds: unknown field/,
    );
    await rejected(
      'POST',
      inst(id, 'scale'),
      { type: 'SCALE_IN', aspectId: 'vdu1_aspect', numberOfSteps: true },
      /numberOfSteps/,
    );
    assert.equal(await opOccCount(), ops, 'no op occ from the rejected requests');
    assert.deepEqual(await vnfcs(), before, 'the VNFCs are untouched');
    await runOp(vnfm, id, 'heal', { vnfcInstanceId: [before[0]] });
    assert.ok(!(await vnfcs()).includes(before[0]), 'the named VNFC was replaced');
    await runOp(vnfm, id, 'scale_to_level', { scaleInfo: [{ aspectId: 'vdu1_aspect', scaleLevel: 0 }] });
    await runOp(vnfm, id, 'heal', { vnfcInstanceId: [] });
    await runOp(vnfm, id, 'terminate', { terminationType: 'GRACEFUL', gracefulTerminationTimeout: 5 });
  });
});
