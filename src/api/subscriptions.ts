// /vnflcm/v1/subscriptions (SOL003 §5.4.18-19) and /vnfpkgm/v1/subscriptions (SOL005
// §9.4.7-8): create (after the receiver check; 303 to an identical one), list with SOL013
// filter and paging, read, delete. One route set, parameterised by the API.
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { deleteSubscription, getSubscription, listSubscriptions } from '../db/queries/subscriptions.ts';
import { notFound } from '../errors.ts';
import { type SubscriptionApi, subscriptionsPath, subscriptionView } from '../notify/model.ts';
import { ReceiverTokens } from '../notify/receiver-auth.ts';
import { createSubscription, type SubscriptionDeps } from '../notify/subscriptions.ts';
import {
  LccnSubscriptionRequest,
  type PkgmSubscriptionRequest as PkgmBody,
  PkgmSubscriptionRequest,
} from './schemas/index.ts';
import { LCCN_SUBSCRIPTION_LIST, PKGM_SUBSCRIPTION_LIST } from './sol013/attributes.ts';
import { versionHeader } from './v2/params.ts';
import { LccnSubscriptionRequestV2 } from './v2/schemas.ts';
import { type ListQuery, listAnswer, type ListResource } from './sol013/list.ts';

const idParams = {
  type: 'object',
  properties: { subscriptionId: { type: 'string', maxLength: 64 } },
} as const;

/** Upper bound of the receiver check's GET (SOL013 gives none; a receiver answers at once). */
const CALLBACK_TIMEOUT_MS = 10_000;

/** Each API's body schema, list attributes, name, and the headers its routes declare (v2's Version). */
const APIS: [SubscriptionApi, TSchema, ListResource, string, object?][] = [
  ['vnflcm', LccnSubscriptionRequest, LCCN_SUBSCRIPTION_LIST, 'LCCN subscription'],
  ['vnflcmV2', LccnSubscriptionRequestV2, LCCN_SUBSCRIPTION_LIST, 'LCCN subscription', versionHeader],
  ['vnfpkgm', PkgmSubscriptionRequest, PKGM_SUBSCRIPTION_LIST, 'package management subscription'],
];

export function subscriptionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps: SubscriptionDeps = {
    db: ctx.db,
    secrets: ctx.secrets,
    tokens: new ReceiverTokens(),
    callbackTimeoutMs: CALLBACK_TIMEOUT_MS,
  };
  for (const [api, body, list, what, headers] of APIS) {
    const base = subscriptionsPath(api);
    const h = headers ? { headers } : {};

    app.post<{ Body: PkgmBody }>(base, { schema: { ...h, body } }, async (req, reply) => {
      const result = await createSubscription(deps, api, req.body);
      if ('existing' in result) {
        // SOL013 §5.9.3.3: the VNFM does not create redundant subscriptions.
        return reply.code(303).header('location', `${base}/${result.existing}`).send();
      }
      req.log.info({ subscriptionId: result.created.id, api }, 'subscription created');
      return reply
        .code(201)
        .header('location', `${base}/${result.created.id}`)
        .send(subscriptionView(result.created));
    });

    app.get<{ Querystring: ListQuery }>(base, { schema: h }, async (req, reply) =>
      listAnswer(
        req,
        reply,
        (await listSubscriptions(ctx.db, ctx.secrets, api)).map(subscriptionView),
        list,
        ctx.config.pageSize,
      ),
    );

    app.get<{ Params: { subscriptionId: string } }>(
      `${base}/:subscriptionId`,
      { schema: { ...h, params: idParams } },
      async (req) => {
        const s = await getSubscription(ctx.db, ctx.secrets, api, req.params.subscriptionId);
        if (!s) throw notFound(`${what} ${req.params.subscriptionId} does not exist`);
        return subscriptionView(s);
      },
    );

    app.delete<{ Params: { subscriptionId: string } }>(
      `${base}/:subscriptionId`,
      { schema: { ...h, params: idParams } },
      async (req, reply) => {
        if (!(await deleteSubscription(ctx.db, api, req.params.subscriptionId))) {
          throw notFound(`${what} ${req.params.subscriptionId} does not exist`);
        }
        req.log.info({ subscriptionId: req.params.subscriptionId, api }, 'subscription deleted');
        return reply.code(204).send();
      },
    );
  }
}
