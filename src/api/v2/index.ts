// /vnflcm/v2: SOL003 v3.3.1 VNF lifecycle management (API version 2.0.0), served by the
// same engine, drivers and store as /vnflcm/v1, so one instance is visible through both.
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../lcm/occurrences.ts';
import { apiVersionRoutes, VNFLCM_V2_VERSION } from '../sol013/versions.ts';
import { ChangeCurrentVnfPkgRequest } from '../schemas/index.ts';
import { taskRouteV2, vnfInstanceRoutesV2 } from './instances.ts';
import { opOccRoutesV2 } from './op-occs.ts';

export function vnflcmV2Routes(app: FastifyInstance, engine: Engine, pageSize: number): void {
  apiVersionRoutes(app, {
    apiName: 'vnflcm',
    version: VNFLCM_V2_VERSION,
    uriMajor: 'v2',
    versionRequired: true,
  });
  vnfInstanceRoutesV2(app, engine, pageSize);
  // SOL003 v3.3.1 §5.4.11a; v1 (SOL003 v2.6.1) has no such task. The body goes to the engine
  // as sent: its vimConnectionInfo map must be empty (the operation keeps the instance's VIM).
  taskRouteV2(app, engine, ['change_vnfpkg', 'CHANGE_VNFPKG', ChangeCurrentVnfPkgRequest, (b: never) => b]);
  opOccRoutesV2(app, engine, pageSize);
}
