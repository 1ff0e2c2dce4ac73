// The op occ's `_progress` in the store (src/lcm/progress.ts, setOpOccProgress): a
// progress write sets only `_progress` and only while the op occ is in the state the run
// began in — it never undoes a transition nor a cancel's isCancelPending — and a burst of
// updates is one write with the last value; after close() nothing more is written. On
// both stores. And the events stream's heartbeat comments, with a short period.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { opOccEventRoutes } from '../../src/api/op-occ-events.ts';
import { type Db, openDatabase } from '../../src/db/connect.ts';
import { getOpOcc, insertOpOcc, setOpOccProgress, transitionOpOcc } from '../../src/db/queries/op-occs.ts';
import { onOpOccChanged } from '../../src/lcm/changes.ts';
import { MAX_PROGRESS_MESSAGE, ProgressReporter } from '../../src/lcm/progress.ts';
import { createLogger } from '../../src/log.ts';
import { inState, newOpOcc } from '../helpers/op-occs.ts';
import { openEventStream } from '../helpers/sse.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm } from '../helpers/vnfm.ts';

const log = createLogger('warn');

for (const store of STORES) {
  describe(`op occ progress in the store on ${store}`, () => {
    let db: Db;
    before(async () => {
      db = await openDatabase(await freshStore(store));
    });
    after(() => db.destroy());

    const processing = async () => {
      const o = newOpOcc(randomUUID(), 'INSTANTIATE');
      await insertOpOcc(db, o, null);
      const p = inState(o, 'PROCESSING');
      assert.ok(await transitionOpOcc(db, p, ['STARTING'], null));
      return p;
    };

    test('a progress write sets only _progress, and not after the op occ left its state', async () => {
      const p = await processing();
      const first = { step: 'helm install vdu1', done: 0, total: 2, updatedAt: new Date().toISOString() };
      assert.ok(await setOpOccProgress(db, p.id, 'PROCESSING', first));
      // A cancel marks the op occ meanwhile: the next progress write keeps the mark.
      assert.ok(
        await transitionOpOcc(
          db,
          { ...p, isCancelPending: true, cancelMode: 'GRACEFUL' },
          ['PROCESSING'],
          null,
        ),
      );
      const second = {
        ...first,
        step: 'helm install vdu2',
        done: 1,
        vdus: { VDU1: { ready: 1, wanted: 1 } },
      };
      assert.ok(await setOpOccProgress(db, p.id, 'PROCESSING', second));
      let got = await getOpOcc(db, p.id);
      assert.equal(got?.isCancelPending, true);
      assert.equal(got?.cancelMode, 'GRACEFUL');
      assert.deepEqual(got?._progress, second);
      assert.deepEqual(got?.operationParams, {});
      // The transition wins: a late progress write finds FAILED_TEMP and changes nothing.
      assert.ok(await transitionOpOcc(db, inState(got!, 'FAILED_TEMP'), ['PROCESSING'], null));
      assert.equal(
        await setOpOccProgress(db, p.id, 'PROCESSING', { step: 'late', updatedAt: new Date().toISOString() }),
        false,
      );
      got = await getOpOcc(db, p.id);
      assert.equal(got?.operationState, 'FAILED_TEMP');
      assert.deepEqual(got?._progress, second, 'the failing step is kept');
    });

    test('a burst of updates is one write of the last value; nothing after close()', async () => {
      const p = await processing();
      let writes = 0;
      const stop = onOpOccChanged((id) => {
        if (id === p.id) writes++;
      });
      try {
        const reporter = new ProgressReporter(db, p.id, 'PROCESSING', log);
        reporter.vdus({ VDU1: { ready: 0, wanted: 3 } }); // before any step: kept for the first
        reporter.step('wait for readiness');
        for (let i = 0; i <= 1000; i++) reporter.vdus({ VDU1: { ready: Math.floor(i / 400), wanted: 3 } });
        reporter.message('x'.repeat(5000));
        await reporter.close();
        assert.equal(writes, 1, 'one write for the whole burst');
        const got = (await getOpOcc(db, p.id))?._progress;
        assert.equal(got?.step, 'wait for readiness');
        assert.deepEqual(got?.vdus, { VDU1: { ready: 2, wanted: 3 } });
        assert.equal(got?.message?.length, MAX_PROGRESS_MESSAGE + 1, 'cut short, with an ellipsis');
        reporter.step('after close');
        await reporter.close();
        assert.equal(writes, 1);
        assert.equal((await getOpOcc(db, p.id))?._progress?.step, 'wait for readiness');
      } finally {
        stop();
      }
    });
  });
}

test('an event stream sends a heartbeat comment at its period', async () => {
  const vnfm = await startVnfm(await freshStore('sqlite'), { worker: false });
  const app = Fastify();
  opOccEventRoutes(app, vnfm.ctx, { heartbeatMs: 100 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const address = app.server.address() as { port: number };
    const s = await openEventStream(`http://127.0.0.1:${address.port}`, '/vnflcm/v1/vnf_lcm_op_occs/events');
    assert.equal(s.status, 200);
    const deadline = Date.now() + 60_000;
    while (!s.comments.includes('heartbeat') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(s.comments.slice(0, 2), ['open', 'heartbeat']);
    assert.deepEqual(s.events, []);
    s.close();
  } finally {
    await app.close();
    await vnfm.close();
  }
});
