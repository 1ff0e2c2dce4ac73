// `vnfm op …`: LCM operation occurrences (SOL003 /vnflcm/v1/vnf_lcm_op_occs) and what
// an operator does with a failed one: retry, rollback (both continue the operation, so
// both take --wait), fail (give up: FAILED), cancel (stop a running one).
import { type Command, Option } from 'commander';
import { clientFor } from './context.ts';
import { filterValue, LCM, listAll, reportOpOcc, reportOperation, vnfId, withFilter } from './lcm-client.ts';
import { type Column, printList, printOne } from './output.ts';
import { OPERATION_STATES } from '../lcm/model.ts';
import { errorLine, getOpOcc, type OpOccSnapshot, progressParts, vduLine } from './wait.ts';

interface OpOcc extends OpOccSnapshot {
  startTime?: string;
  stateEnteredTime?: string;
  isCancelPending?: boolean;
  resourceChanges?: { affectedVnfcs?: { changeType: string }[] };
}

const LIST_COLUMNS: Column<OpOcc>[] = [
  { header: 'ID', get: (o) => o.id },
  { header: 'OPERATION', get: (o) => o.operation },
  { header: 'STATE', get: (o) => o.operationState },
  { header: 'VNF', get: (o) => o.vnfInstanceId },
  { header: 'STARTED', get: (o) => o.startTime },
  { header: 'STATE_ENTERED', get: (o) => o.stateEnteredTime, wide: true },
  { header: 'CANCEL_PENDING', get: (o) => (o.isCancelPending ? 'yes' : ''), wide: true },
];

/** `ADDED 2, REMOVED 1` of the VNFCs an operation changed. */
function changes(o: OpOcc): string {
  const counts = new Map<string, number>();
  for (const c of o.resourceChanges?.affectedVnfcs ?? [])
    counts.set(c.changeType, (counts.get(c.changeType) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

const SHOW_FIELDS: Column<OpOcc>[] = [
  { header: 'ID', get: (o) => o.id },
  { header: 'OPERATION', get: (o) => o.operation },
  { header: 'STATE', get: (o) => o.operationState },
  { header: 'VNF', get: (o) => o.vnfInstanceId },
  { header: 'STARTED', get: (o) => o.startTime },
  { header: 'STATE_ENTERED', get: (o) => o.stateEnteredTime },
  { header: 'CANCEL_PENDING', get: (o) => (o.isCancelPending ? 'yes' : 'no') },
  { header: 'STEP', get: (o) => progressParts(o._progress).step },
  { header: 'PODS', get: (o) => vduLine(progressParts(o._progress).vdus) },
  { header: 'VNFCS', get: changes },
  { header: 'ERROR', get: (o) => (o.error ? errorLine(o) : undefined) },
];

const opPath = (id: string) => `${LCM}/vnf_lcm_op_occs/${encodeURIComponent(id)}`;

export function addOpCommands(program: Command): void {
  const op = program
    .command('op')
    .description('LCM operation occurrences: list, show, retry, rollback, fail, cancel');

  op.command('list')
    .description('operation occurrences, oldest first')
    .option('--vnf <vnf>', 'of this VNF instance (id or name)')
    .addOption(new Option('--state <state>', 'in this operationState').choices(OPERATION_STATES))
    .option('--operation <op>', 'of this operation (INSTANTIATE, SCALE, …)')
    .option('--filter <expr>', "an SOL013 filter, e.g. '(neq,operationState,COMPLETED)'")
    .action(
      async (o: { vnf?: string; state?: string; operation?: string; filter?: string }, cmd: Command) => {
        const client = clientFor(cmd);
        const terms: string[] = [];
        if (o.vnf) terms.push(`(eq,vnfInstanceId,${filterValue(await vnfId(client, o.vnf))})`);
        if (o.state) terms.push(`(eq,operationState,${o.state})`);
        if (o.operation) terms.push(`(eq,operation,${filterValue(o.operation)})`);
        const rows = await listAll<OpOcc>(client, withFilter(`${LCM}/vnf_lcm_op_occs`, terms, o.filter));
        printList(cmd, rows, LIST_COLUMNS, (r) => r.id);
      },
    );

  op.command('show <id>')
    .description('one operation occurrence: state, step, error')
    .action(async (id: string, _o, cmd: Command) => {
      printOne(cmd, await clientFor(cmd).get<OpOcc>(opPath(id)), SHOW_FIELDS, (r) => r.id);
    });

  op.command('wait <id>')
    .description(
      'follow an operation to its end (again, after Ctrl-C); exit 0 on COMPLETED, or on ROLLED_BACK if it was ROLLING_BACK',
    )
    .action(async (id: string, _o, cmd: Command) => {
      const client = clientFor(cmd);
      const success =
        (await getOpOcc(client, id)).operationState === 'ROLLING_BACK' ? 'ROLLED_BACK' : 'COMPLETED';
      await reportOpOcc(cmd, client, id, { wait: true, quietStart: true }, success);
    });

  op.command('retry <id>')
    .description('run a FAILED_TEMP operation again from where the cluster is')
    .option('--wait', 'follow it to its end; exit 1 unless it COMPLETED')
    .action(async (id: string, o: { wait?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      await reportOperation(cmd, client, await client.post(`${opPath(id)}/retry`), o);
    });

  op.command('rollback <id>')
    .description('undo what a FAILED_TEMP instantiate or scale did')
    .option('--wait', 'follow it to its end; exit 0 on ROLLED_BACK, 1 otherwise')
    .action(async (id: string, o: { wait?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      await reportOperation(cmd, client, await client.post(`${opPath(id)}/rollback`), o, 'ROLLED_BACK');
    });

  op.command('fail <id>')
    .description('give up a FAILED_TEMP operation: FAILED, final (the instance takes operations again)')
    .action(async (id: string, _o, cmd: Command) => {
      const answer = await clientFor(cmd).post(`${opPath(id)}/fail`);
      printOne(cmd, answer.body as OpOcc, SHOW_FIELDS, (r) => r.id);
    });

  op.command('cancel <id>')
    .description(
      'stop a STARTING or PROCESSING operation (it ends FAILED_TEMP, or ROLLED_BACK if it had not started)',
    )
    .addOption(
      new Option('--mode <mode>', 'cancelMode').choices(['GRACEFUL', 'FORCEFUL']).default('GRACEFUL'),
    )
    .action(async (id: string, o: { mode: string }, cmd: Command) => {
      const client = clientFor(cmd);
      await reportOperation(
        cmd,
        client,
        await client.post(`${opPath(id)}/cancel`, { cancelMode: o.mode }),
        {},
      );
    });
}
