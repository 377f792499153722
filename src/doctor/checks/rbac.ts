import { AuthorizationV1Api } from '@kubernetes/client-node';
import { controllerPermissions, describePermission, resourceAttributes } from '../../api/permissions.js';
import { WEBHOOK_TLS_SECRET } from '../../webhook/index.js';
import { fail, pass, type Check } from '../check.js';

const GROUP_NAME = 'RBAC';

/**
 * Access reviews for every verb the controller issues: for its ServiceAccount when one
 * is named (in cluster), else for the kubeconfig's identity (what `clairvoyance run
 * --kubeconfig` uses).
 */
export const rbacCheck: Check = async (ctx) => {
  const api = ctx.kc.makeApiClient(AuthorizationV1Api);
  const permissions = controllerPermissions({ lease: ctx.leaseName, webhookConfiguration: ctx.configurationName, tlsSecret: WEBHOOK_TLS_SECRET });
  const sa = ctx.serviceAccount;
  const subject = sa ? `system:serviceaccount:${ctx.controllerNamespace}:${sa}` : 'this kubeconfig';
  const allowed = await Promise.all(
    permissions.map(async (p) => {
      const attrs = resourceAttributes(p, ctx.controllerNamespace);
      const review = sa
        ? await api.createSubjectAccessReview({
            body: {
              spec: {
                user: `system:serviceaccount:${ctx.controllerNamespace}:${sa}`,
                groups: ['system:serviceaccounts', `system:serviceaccounts:${ctx.controllerNamespace}`, 'system:authenticated'],
                resourceAttributes: attrs,
              },
            },
          })
        : await api.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attrs } } });
      return review.status?.allowed === true;
    }),
  );
  const missing = permissions.filter((_, i) => !allowed[i]);
  if (missing.length === 0) return [pass(GROUP_NAME, `${subject} may make all ${permissions.length} calls the controller makes`)];
  return [
    fail(
      GROUP_NAME,
      `${subject} lacks ${missing.length} of ${permissions.length} permissions: ${missing.map((p) => `${describePermission(p)} (${p.why})`).join(', ')}`,
      sa
        ? 'helm upgrade with rbac.create=true, or grant these in the ClusterRole bound to the ServiceAccount'
        : "use a kubeconfig whose user has these permissions, or bind it the chart's ClusterRole",
    ),
  ];
};
