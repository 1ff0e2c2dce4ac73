// Which MgmtDriver runs a flavour's Vnflcm hooks: every operation with an
// implementation must name an artifact configuration enables, and all the same
// driver; otherwise the instantiate is refused before anything is touched.
import { badRequest } from '../errors.ts';
import type { Flavour } from '../packages/vnfd/index.ts';
import type { MgmtDriver } from './driver.ts';
import type { MgmtRegistry } from './registry.ts';

/** The flavour's driver, or undefined when no operation of its Vnflcm interface has an implementation. */
export function selectDriver(mgmt: MgmtRegistry, flavour: Flavour, vnfdId: string): MgmtDriver | undefined {
  // Scripts whose artifact configuration skips (VNFM_MGMT_DRIVERS `artifact=none`) are nothing to run.
  const scripted = Object.entries(flavour.lcmInterfaces).filter(
    ([, op]) => op.implementation !== undefined && !mgmt.skipped.has(op.implementation),
  );
  if (scripted.length === 0) return undefined;
  const where = `flavour ${flavour.flavourId} of VNFD ${vnfdId} declares interface Vnflcm operations`;
  const named = scripted.map(([hook, op]) => ({
    hook,
    artifact: op.implementation as string,
    file: op.artifact?.file ?? op.implementation,
    driver: mgmt.artifacts.get(op.implementation as string),
  }));
  const off = named.filter((n) => !n.driver);
  if (off.length > 0)
    throw badRequest(
      `${where} ${off.map((n) => `${n.hook} (${n.file})`).join(', ')} whose artifacts ` +
        `(${[...new Set(off.map((n) => n.artifact))].join(', ')}) no MgmtDriver is enabled for ` +
        '(VNFM_MGMT_DRIVERS maps artifact names to built-in drivers, or to none to skip them; package code is never run)',
    );
  const ids = new Set(named.map((n) => n.driver!.id));
  if (ids.size > 1)
    throw badRequest(
      `${where} with different MgmtDrivers: ` +
        `${named.map((n) => `${n.hook} → artifact ${n.artifact} (driver ${n.driver!.id})`).join(', ')}; ` +
        'one instance has one driver',
    );
  return named[0]!.driver;
}
