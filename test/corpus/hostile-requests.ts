// The standing bad-input corpus: hostile or malformed requests across every route.
// Each must be answered 4xx with a ProblemDetails, spawn nothing that carries its
// payload, leave the server alive and the stored data as it was. Injection strings
// carry a marker (MARK) that the test watches for on every process of the machine
// and as a file name under /tmp.

export interface CorpusIds {
  vimId: string;
  pkgId: string;
  /** NOT_INSTANTIATED */
  freshId: string;
  /** INSTANTIATED (manifest mode) */
  liveId: string;
  opOccId: string;
  vnfdId: string;
}

export interface HostileRequest {
  name: string;
  method: string;
  path: string;
  /** JSON-encoded unless `raw` is set. */
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export const MARK = `pwn${process.pid}x`;
const touch = `/tmp/${MARK}`;

/** Strings that would do harm if a shell, ssh, tar, helm or a path join took them raw. */
export const INJECTIONS = [
  `$(touch ${touch})`,
  `\`touch ${touch}\``,
  `x; touch ${touch} #`,
  `x | touch ${touch}`,
  `x && touch ${touch}`,
  `' ; touch ${touch} ; '`,
  `"; touch ${touch}; "`,
  `x\ntouch ${touch}`,
  `../../../../tmp/${MARK}`,
  `--post-renderer=/bin/touch${MARK}`,
  `-oProxyCommand=touch ${touch}`,
  `x\u0000${MARK}`,
  `{{ exec "touch" "${touch}" }}`,
];

const json = { 'content-type': 'application/json' };
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObj = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

export function hostileRequests(ids: CorpusIds): HostileRequest[] {
  const out: HostileRequest[] = [];
  const add = (r: HostileRequest) => out.push(r);
  const inst = (id: string) => `/vnflcm/v1/vnf_instances/${id}`;
  const vim = `/v1.0/vims/${ids.vimId}`;
  const pkg = `/vnfpkgm/v1/vnf_packages/${ids.pkgId}`;
  const vci = [{ id: 'c1', vimId: ids.vimId, vimType: 'kubernetes' }];
  const helmParam = (p: Record<string, unknown>) => ({
    flavourId: 'helmchart',
    vimConnectionInfo: vci,
    additionalParams: {
      use_helm: 'true',
      using_helm_install_param: [
        {
          exthelmchart: 'false',
          helmchartfile_path: 'Files/kubernetes/app-0.1.0.tgz',
          helmreleasename: 'vdu1',
          ...p,
        },
      ],
    },
  });
  const vimBody = (v: Record<string, unknown>) => ({
    vim: {
      name: `v-${out.length}`,
      type: 'kubernetes',
      auth_url: 'https://127.0.0.1:1',
      auth_cred: { bearer_token: 't' },
      ...v,
    },
  });

  // Injection strings in every user string that reaches helm, ssh, tar or a path.
  INJECTIONS.forEach((s, i) => {
    const n = `inj${i}`;
    add({
      name: `${n} helmreleasename`,
      method: 'POST',
      path: `${inst(ids.freshId)}/instantiate`,
      body: helmParam({ helmreleasename: s }),
    });
    add({
      name: `${n} helmchartfile_path`,
      method: 'POST',
      path: `${inst(ids.freshId)}/instantiate`,
      body: helmParam({ helmchartfile_path: s }),
    });
    add({
      name: `${n} helmparameter key`,
      method: 'POST',
      path: `${inst(ids.freshId)}/instantiate`,
      body: helmParam({ helmparameter: [`${s}=1`] }),
    });
    add({
      name: `${n} external chart repo name/url`,
      method: 'POST',
      path: `${inst(ids.freshId)}/instantiate`,
      body: helmParam({
        exthelmchart: 'true',
        helmchartfile_path: undefined,
        helmrepositoryname: s,
        helmchartname: s,
        exthelmrepo_url: s,
      }),
    });
    add({
      name: `${n} namespace`,
      method: 'POST',
      path: `${inst(ids.freshId)}/instantiate`,
      body: { ...helmParam({}), additionalParams: { ...helmParam({}).additionalParams, namespace: s } },
    });
    add({
      name: `${n} request masternode_ip`,
      method: 'POST',
      path: `${inst(ids.freshId)}/instantiate`,
      body: {
        ...helmParam({}),
        vimConnectionInfo: [
          {
            ...vci[0],
            extra: { helm_info: { masternode_ip: [s], masternode_username: s, masternode_password: 'p' } },
          },
        ],
      },
    });
    add({
      name: `${n} manifest def file`,
      method: 'POST',
      path: `${inst(ids.freshId)}/instantiate`,
      body: {
        flavourId: 'helmchart',
        vimConnectionInfo: vci,
        additionalParams: { 'lcm-kubernetes-def-files': [s] },
      },
    });
    add({
      name: `${n} flavourId`,
      method: 'POST',
      path: `${inst(ids.freshId)}/instantiate`,
      body: { flavourId: s },
    });
    add({
      name: `${n} scale aspectId`,
      method: 'POST',
      path: `${inst(ids.liveId)}/scale`,
      body: { type: 'SCALE_OUT', aspectId: s },
    });
    add({
      name: `${n} heal vnfcInstanceId`,
      method: 'POST',
      path: `${inst(ids.liveId)}/heal`,
      body: { vnfcInstanceId: [s] },
    });
    add({
      name: `${n} VIM helm_info masternode_ip`,
      method: 'POST',
      path: '/v1.0/vims',
      body: vimBody({
        extra: { helm_info: { masternode_ip: [s], masternode_username: 'u', masternode_password: 'p' } },
      }),
    });
    add({ name: `${n} VIM auth_url`, method: 'POST', path: '/v1.0/vims', body: vimBody({ auth_url: s }) });
    add({ name: `${n} artifact path`, method: 'GET', path: `${pkg}/artifacts/${encodeURIComponent(s)}` });
    add({ name: `${n} instance id`, method: 'GET', path: inst(encodeURIComponent(s)) });
    add({
      name: `${n} filter value`,
      method: 'GET',
      path: `/vnflcm/v1/vnf_instances?filter=${encodeURIComponent(`(eq,${s},1)`)}`,
    });
  });

  // Strict bodies: unknown fields, wrong types, out of bounds.
  const typos: [string, string, unknown][] = [
    ['heal typo vnfcInstanceIds', `${inst(ids.liveId)}/heal`, { vnfcInstanceIds: ['x'] }],
    [
      'scale numberOfSteps true',
      `${inst(ids.liveId)}/scale`,
      { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: true },
    ],
    [
      'scale numberOfSteps string',
      `${inst(ids.liveId)}/scale`,
      { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: '1' },
    ],
    [
      'scale numberOfSteps huge',
      `${inst(ids.liveId)}/scale`,
      { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1e300 },
    ],
    [
      'scale numberOfSteps negative',
      `${inst(ids.liveId)}/scale`,
      { type: 'SCALE_IN', aspectId: 'vdu1_aspect', numberOfSteps: -1 },
    ],
    [
      'scale numberOfSteps fraction',
      `${inst(ids.liveId)}/scale`,
      { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 0.5 },
    ],
    ['scale type lower case', `${inst(ids.liveId)}/scale`, { type: 'scale_out', aspectId: 'vdu1_aspect' }],
    [
      'scale unknown field',
      `${inst(ids.liveId)}/scale`,
      { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', steps: 1 },
    ],
    ['scale aspectId number', `${inst(ids.liveId)}/scale`, { type: 'SCALE_OUT', aspectId: 1 }],
    [
      'scale aspectId huge',
      `${inst(ids.liveId)}/scale`,
      { type: 'SCALE_OUT', aspectId: 'a'.repeat(100_000) },
    ],
    ['scale_to_level scaleInfo [null]', `${inst(ids.liveId)}/scale_to_level`, { scaleInfo: [null] }],
    ['scale_to_level scaleInfo object', `${inst(ids.liveId)}/scale_to_level`, { scaleInfo: {} }],
    [
      'scale_to_level scaleLevel string',
      `${inst(ids.liveId)}/scale_to_level`,
      { scaleInfo: [{ aspectId: 'vdu1_aspect', scaleLevel: '1' }] },
    ],
    [
      'scale_to_level scaleLevel -1',
      `${inst(ids.liveId)}/scale_to_level`,
      { scaleInfo: [{ aspectId: 'vdu1_aspect', scaleLevel: -1 }] },
    ],
    [
      'scale_to_level both',
      `${inst(ids.liveId)}/scale_to_level`,
      {
        instantiationLevelId: 'instantiation_level_1',
        scaleInfo: [{ aspectId: 'vdu1_aspect', scaleLevel: 1 }],
      },
    ],
    ['scale_to_level empty', `${inst(ids.liveId)}/scale_to_level`, {}],
    ['heal vnfcInstanceId string', `${inst(ids.liveId)}/heal`, { vnfcInstanceId: 'x' }],
    ['heal vnfcInstanceId [1]', `${inst(ids.liveId)}/heal`, { vnfcInstanceId: [1] }],
    ['heal vnfcInstanceId [null]', `${inst(ids.liveId)}/heal`, { vnfcInstanceId: [null] }],
    ['heal unknown vnfc', `${inst(ids.liveId)}/heal`, { vnfcInstanceId: ['no-such-pod'] }],
    ['heal cause number', `${inst(ids.liveId)}/heal`, { cause: 5 }],
    ['terminate type missing', `${inst(ids.liveId)}/terminate`, {}],
    ['terminate type wrong', `${inst(ids.liveId)}/terminate`, { terminationType: 'NOW' }],
    [
      'terminate timeout 2^31',
      `${inst(ids.liveId)}/terminate`,
      { terminationType: 'GRACEFUL', gracefulTerminationTimeout: 2 ** 31 },
    ],
    [
      'terminate timeout string',
      `${inst(ids.liveId)}/terminate`,
      { terminationType: 'GRACEFUL', gracefulTerminationTimeout: '60' },
    ],
    [
      'terminate timeout negative',
      `${inst(ids.liveId)}/terminate`,
      { terminationType: 'GRACEFUL', gracefulTerminationTimeout: -1 },
    ],
    [
      'terminate timeout float',
      `${inst(ids.liveId)}/terminate`,
      { terminationType: 'GRACEFUL', gracefulTerminationTimeout: 1.5 },
    ],
    [
      'terminate unknown field',
      `${inst(ids.liveId)}/terminate`,
      { terminationType: 'FORCEFUL', force: true },
    ],
    ['instantiate flavourId missing', `${inst(ids.freshId)}/instantiate`, {}],
    ['instantiate flavourId number', `${inst(ids.freshId)}/instantiate`, { flavourId: 1 }],
    ['instantiate unknown flavour', `${inst(ids.freshId)}/instantiate`, { flavourId: 'nope' }],
    [
      'instantiate unknown field',
      `${inst(ids.freshId)}/instantiate`,
      { flavourId: 'helmchart', flavorId: 'x' },
    ],
    [
      'instantiate vimConnectionInfo object',
      `${inst(ids.freshId)}/instantiate`,
      { flavourId: 'helmchart', vimConnectionInfo: {} },
    ],
    [
      'instantiate vimConnectionInfo [null]',
      `${inst(ids.freshId)}/instantiate`,
      { flavourId: 'helmchart', vimConnectionInfo: [null] },
    ],
    [
      'instantiate unknown vim',
      `${inst(ids.freshId)}/instantiate`,
      {
        flavourId: 'helmchart',
        vimConnectionInfo: [{ id: 'c', vimId: 'no-such-vim', vimType: 'kubernetes' }],
      },
    ],
    [
      'instantiate level unknown',
      `${inst(ids.freshId)}/instantiate`,
      { flavourId: 'helmchart', instantiationLevelId: 'nope', vimConnectionInfo: vci },
    ],
    [
      'instantiate use_helm number',
      `${inst(ids.freshId)}/instantiate`,
      { ...helmParam({}), additionalParams: { ...helmParam({}).additionalParams, use_helm: 1 } },
    ],
    [
      'instantiate install param [null]',
      `${inst(ids.freshId)}/instantiate`,
      { ...helmParam({}), additionalParams: { use_helm: true, using_helm_install_param: [null] } },
    ],
    [
      'instantiate helmparameter not a list',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmparameter: 'a=b' }),
    ],
    [
      'instantiate helmparameter no =',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmparameter: ['novalue'] }),
    ],
    [
      'instantiate helmparameter huge',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmparameter: [`a=${'x'.repeat(200_000)}`] }),
    ],
    [
      'instantiate helmparameter many',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmparameter: Array.from({ length: 5000 }, (_, i) => `k${i}=v`) }),
    ],
    [
      'instantiate unknown install field',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmchartfilepath: 'x' }),
    ],
    [
      'instantiate chart outside package',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmchartfile_path: '/etc/passwd' }),
    ],
    [
      'instantiate chart missing',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmchartfile_path: 'Files/kubernetes/none.tgz' }),
    ],
    [
      'instantiate chart is the VNFD',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmchartfile_path: 'Definitions/sample_cnf_top.vnfd.yaml' }),
    ],
    [
      'instantiate release name too long',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmreleasename: 'a'.repeat(60) }),
    ],
    [
      'instantiate release name upper',
      `${inst(ids.freshId)}/instantiate`,
      helmParam({ helmreleasename: 'VDU1' }),
    ],
    [
      'instantiate helm_info masked to foreign host',
      `${inst(ids.freshId)}/instantiate`,
      {
        ...helmParam({}),
        vimConnectionInfo: [
          {
            ...vci[0],
            extra: {
              helm_info: {
                masternode_ip: ['127.0.0.1:9899'],
                masternode_username: 'x',
                masternode_password: '***',
              },
            },
          },
        ],
      },
    ],
    [
      'instantiate helm_info deep python literal',
      `${inst(ids.freshId)}/instantiate`,
      { ...helmParam({}), vimConnectionInfo: [{ ...vci[0], extra: { helm_info: '['.repeat(20_000) } }] },
    ],
    [
      'instantiate vdu_mapping kind Pod',
      `${inst(ids.freshId)}/instantiate`,
      {
        ...helmParam({}),
        additionalParams: {
          ...helmParam({}).additionalParams,
          vdu_mapping: { VDU1: { name: 'a', kind: 'Pod', helmreleasename: 'vdu1' } },
        },
      },
    ],
    [
      'instantiate helm_replica_values injection',
      `${inst(ids.freshId)}/instantiate`,
      {
        ...helmParam({}),
        additionalParams: {
          ...helmParam({}).additionalParams,
          helm_replica_values: { vdu1_aspect: `$(touch ${touch})` },
        },
      },
    ],
    [
      'instantiate already instantiated',
      `${inst(ids.liveId)}/instantiate`,
      { flavourId: 'helmchart', vimConnectionInfo: vci },
    ],
    [
      'scale of NOT_INSTANTIATED',
      `${inst(ids.freshId)}/scale`,
      { type: 'SCALE_OUT', aspectId: 'vdu1_aspect' },
    ],
    [
      'scale beyond max level',
      `${inst(ids.liveId)}/scale`,
      { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1000 },
    ],
    ['scale unknown aspect', `${inst(ids.liveId)}/scale`, { type: 'SCALE_OUT', aspectId: 'nope' }],
    ['create instance vnfdId missing', '/vnflcm/v1/vnf_instances', {}],
    ['create instance vnfdId number', '/vnflcm/v1/vnf_instances', { vnfdId: 1 }],
    ['create instance unknown vnfd', '/vnflcm/v1/vnf_instances', { vnfdId: 'no-such-vnfd' }],
    [
      'create instance unknown field',
      '/vnflcm/v1/vnf_instances',
      { vnfdId: ids.vnfdId, vnfInstanceNam: 'x' },
    ],
    [
      'create instance huge name',
      '/vnflcm/v1/vnf_instances',
      { vnfdId: ids.vnfdId, vnfInstanceName: 'x'.repeat(100_000) },
    ],
    ['create instance metadata array', '/vnflcm/v1/vnf_instances', { vnfdId: ids.vnfdId, metadata: [] }],
    [
      'create instance metadata many keys',
      '/vnflcm/v1/vnf_instances',
      {
        vnfdId: ids.vnfdId,
        metadata: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])),
      },
    ],
    ['create package userDefinedData string', '/vnfpkgm/v1/vnf_packages', { userDefinedData: 'x' }],
    ['create package unknown field', '/vnfpkgm/v1/vnf_packages', { userDefinedDat: {} }],
    [
      'upload_from_uri bad uri',
      `${pkg}/package_content/upload_from_uri`,
      { addressInformation: `file:///etc/passwd` },
    ],
    ['upload_from_uri unknown field', `${pkg}/package_content/upload_from_uri`, { address: 'http://x' }],
    ['op occ cancel mode wrong', `/vnflcm/v1/vnf_lcm_op_occs/${ids.opOccId}/cancel`, { cancelMode: 'NOW' }],
    [
      'op occ cancel unknown field',
      `/vnflcm/v1/vnf_lcm_op_occs/${ids.opOccId}/cancel`,
      { cancelMode: 'GRACEFUL', x: 1 },
    ],
    ['op occ retry of COMPLETED', `/vnflcm/v1/vnf_lcm_op_occs/${ids.opOccId}/retry`, undefined],
    ['op occ rollback of COMPLETED', `/vnflcm/v1/vnf_lcm_op_occs/${ids.opOccId}/rollback`, undefined],
    ['op occ fail of COMPLETED', `/vnflcm/v1/vnf_lcm_op_occs/${ids.opOccId}/fail`, undefined],
    [
      'VIM name missing',
      '/v1.0/vims',
      { vim: { type: 'kubernetes', auth_url: 'https://x', auth_cred: { bearer_token: 't' } } },
    ],
    ['VIM type openstack', '/v1.0/vims', vimBody({ type: 'openstack' })],
    ['VIM unknown field', '/v1.0/vims', vimBody({ auth_ur: 'x' })],
    ['VIM unknown auth_cred field', '/v1.0/vims', vimBody({ auth_cred: { bearer_token: 't', tokn: 'x' } })],
    ['VIM no credentials', '/v1.0/vims', vimBody({ auth_cred: {} })],
    [
      'VIM non-PEM client cert',
      '/v1.0/vims',
      vimBody({ auth_cred: { client_cert: 'not pem', client_key: 'not pem' } }),
    ],
    ['VIM non-PEM CA', '/v1.0/vims', vimBody({ auth_cred: { bearer_token: 't', ssl_ca_cert: 'not pem' } })],
    ['VIM token control chars', '/v1.0/vims', vimBody({ auth_cred: { bearer_token: 'a\r\nX-Evil: 1' } })],
    ['VIM is_default string', '/v1.0/vims', vimBody({ is_default: 'true' })],
    ['VIM helm_info number', '/v1.0/vims', vimBody({ extra: { helm_info: 1 } })],
    ['VIM helm_info bad literal', '/v1.0/vims', vimBody({ extra: { helm_info: "{'masternode_ip': " } })],
    ['VIM helm_info deep literal', '/v1.0/vims', vimBody({ extra: { helm_info: '{"a":'.repeat(5000) } })],
    [
      'VIM helm_info bad port',
      '/v1.0/vims',
      vimBody({
        extra: {
          helm_info: {
            masternode_ip: ['10.0.0.1:99999'],
            masternode_username: 'u',
            masternode_password: 'p',
          },
        },
      }),
    ],
    [
      'VIM helm_info bad host key',
      '/v1.0/vims',
      vimBody({
        extra: {
          helm_info: {
            masternode_ip: ['10.0.0.1'],
            masternode_username: 'u',
            masternode_password: 'p',
            masternode_host_keys: { '10.0.0.1': 'garbage' },
          },
        },
      }),
    ],
    [
      'VIM helm_info bad private key',
      '/v1.0/vims',
      vimBody({
        extra: {
          helm_info: {
            masternode_ip: ['10.0.0.1'],
            masternode_username: 'u',
            masternode_private_key: 'garbage',
          },
        },
      }),
    ],
    [
      'VIM helm_info no credentials',
      '/v1.0/vims',
      vimBody({ extra: { helm_info: { masternode_ip: ['10.0.0.1'], masternode_username: 'u' } } }),
    ],
    ['VIM name huge', '/v1.0/vims', vimBody({ name: 'x'.repeat(100_000) })],
    ['VIM body not wrapped', '/v1.0/vims', { name: 'x', type: 'kubernetes' }],
  ];
  for (const [name, path, body] of typos) add({ name, method: 'POST', path, body });

  // Updates that would move secrets or corrupt what is stored.
  const updates: [string, unknown][] = [
    [
      'VIM PATCH auth_url with masked token',
      { vim: { auth_url: 'https://127.0.0.1:9898', auth_cred: { bearer_token: '***' } } },
    ],
    ['VIM PATCH auth_url without token', { vim: { auth_url: 'https://127.0.0.1:9898' } }],
    [
      'VIM PATCH CA without token',
      { vim: { auth_cred: { ssl_ca_cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' } } },
    ],
    [
      'VIM PATCH masternode_ip without password',
      {
        vim: {
          extra: {
            helm_info: {
              masternode_ip: ['127.0.0.1:9899'],
              masternode_username: 'u',
              masternode_password: '***',
            },
          },
        },
      },
    ],
    ['VIM PATCH type', { vim: { type: 'openstack' } }],
    ['VIM PATCH empty name', { vim: { name: '' } }],
    ['VIM PATCH unknown field', { vim: { colour: 'red' } }],
    ['VIM PATCH not wrapped', { name: 'x' }],
  ];
  for (const [name, body] of updates) add({ name, method: 'PATCH', path: vim, body });
  add({ name: 'VIM PUT auth_url with masked token', method: 'PUT', path: vim, body: updates[0]![1] });
  add({ name: 'VIM DELETE in use', method: 'DELETE', path: vim });
  add({ name: 'package PATCH bad state', method: 'PATCH', path: pkg, body: { operationalState: 'BROKEN' } });
  add({
    name: 'package PATCH unknown field',
    method: 'PATCH',
    path: pkg,
    body: { operationalStat: 'DISABLED' },
  });
  add({
    name: 'package PATCH userDefinedData array',
    method: 'PATCH',
    path: pkg,
    body: { userDefinedData: [] },
  });
  add({ name: 'package DELETE in use (ENABLED)', method: 'DELETE', path: pkg });
  add({
    name: 'instance PATCH unknown field',
    method: 'PATCH',
    path: inst(ids.liveId),
    body: { vnfInstanceNam: 'x' },
  });
  add({
    name: 'instance PATCH name number',
    method: 'PATCH',
    path: inst(ids.liveId),
    body: { vnfInstanceName: 1 },
  });
  add({ name: 'instance DELETE while INSTANTIATED', method: 'DELETE', path: inst(ids.liveId) });

  // Malformed bodies and media types.
  const bodyRoutes = [
    '/v1.0/vims',
    '/vnflcm/v1/vnf_instances',
    `${inst(ids.liveId)}/heal`,
    '/vnfpkgm/v1/vnf_packages',
  ];
  for (const path of bodyRoutes) {
    add({ name: `${path} invalid JSON`, method: 'POST', path, raw: '{"a":', headers: json });
    add({ name: `${path} JSON 5000 deep`, method: 'POST', path, raw: deep(5000), headers: json });
    add({ name: `${path} object 5000 deep`, method: 'POST', path, raw: deepObj(5000), headers: json });
    add({ name: `${path} JSON null`, method: 'POST', path, raw: 'null', headers: json });
    add({ name: `${path} JSON array`, method: 'POST', path, raw: '[]', headers: json });
    add({ name: `${path} JSON string`, method: 'POST', path, raw: '"x"', headers: json });
    add({
      name: `${path} __proto__ key`,
      method: 'POST',
      path,
      raw: '{"__proto__":{"polluted":1}}',
      headers: json,
    });
    add({
      name: `${path} text/plain`,
      method: 'POST',
      path,
      raw: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    add({
      name: `${path} 2 MiB body`,
      method: 'POST',
      path,
      raw: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`,
      headers: json,
    });
  }
  add({
    name: 'metadata 5000 deep',
    method: 'POST',
    path: '/vnflcm/v1/vnf_instances',
    raw: `{"vnfdId":"${ids.vnfdId}","metadata":${deepObj(5000)}}`,
    headers: json,
  });
  add({
    name: 'userDefinedData 5000 deep',
    method: 'POST',
    path: '/vnfpkgm/v1/vnf_packages',
    raw: `{"userDefinedData":${deepObj(5000)}}`,
    headers: json,
  });
  add({
    name: 'heal additionalParams 5000 deep',
    method: 'POST',
    path: `${inst(ids.liveId)}/heal`,
    raw: `{"additionalParams":${deepObj(5000)}}`,
    headers: json,
  });
  add({
    name: 'package content not a zip type',
    method: 'PUT',
    path: `${pkg}/package_content`,
    raw: 'x',
    headers: { 'content-type': 'text/plain' },
  });
  add({
    name: 'package content of unknown package',
    method: 'PUT',
    path: '/vnfpkgm/v1/vnf_packages/nope/package_content',
    raw: 'PK',
    headers: { 'content-type': 'application/zip' },
  });

  // SOL013 queries on every list.
  const lists = ['/vnflcm/v1/vnf_instances', '/vnflcm/v1/vnf_lcm_op_occs', '/vnfpkgm/v1/vnf_packages'];
  const queries = [
    'filter=(eq,__proto__,1)',
    'filter=(eq,constructor,1)',
    'filter=(eq,toString,1)',
    'filter=(eq,id)',
    'filter=(xx,id,1)',
    'filter=((((',
    "filter=(eq,id,'unterminated)",
    'filter=(eq,noSuchAttribute,1)',
    `filter=${'(eq,id,1);'.repeat(2000)}`,
    'fields=noSuchAttribute',
    'exclude_fields=__proto__',
    'all_fields&fields=id',
    'nextpage_opaque_marker=garbage%00',
    'filter=%zz',
  ];
  for (const list of lists)
    for (const q of queries) add({ name: `${list}?${q.slice(0, 40)}`, method: 'GET', path: `${list}?${q}` });

  // The HTTP edge.
  add({ name: 'bad URL encoding in path', method: 'GET', path: '/vnflcm/v1/vnf_instances/%zz' });
  add({ name: 'URL 20 KiB', method: 'GET', path: `/vnflcm/v1/vnf_instances/${'a'.repeat(20_000)}` });
  add({ name: '405 DELETE collection', method: 'DELETE', path: '/vnflcm/v1/vnf_instances' });
  add({ name: '405 PUT op occs', method: 'PUT', path: '/vnflcm/v1/vnf_lcm_op_occs', body: {} });
  add({ name: '405 PATCH vims', method: 'PATCH', path: '/v1.0/vims', body: {} });
  add({ name: '405 POST healthz', method: 'POST', path: '/healthz', body: {} });
  add({ name: 'unknown path', method: 'GET', path: '/vnflcm/v9/nothing' });
  add({
    name: 'unsupported Version',
    method: 'GET',
    path: '/vnflcm/v1/vnf_instances',
    headers: { version: '9.0.0' },
  });
  add({ name: 'unknown instance', method: 'GET', path: inst('00000000-0000-0000-0000-000000000000') });
  add({ name: 'unknown op occ', method: 'POST', path: '/vnflcm/v1/vnf_lcm_op_occs/nope/retry' });
  add({ name: 'unknown package vnfd', method: 'GET', path: '/vnfpkgm/v1/vnf_packages/nope/vnfd' });
  add({ name: 'artifact traversal', method: 'GET', path: `${pkg}/artifacts/..%2F..%2F..%2Fetc%2Fpasswd` });
  add({ name: 'artifact absolute', method: 'GET', path: `${pkg}/artifacts/%2Fetc%2Fpasswd` });
  return out;
}
