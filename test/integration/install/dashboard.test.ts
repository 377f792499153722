// Every query of the shipped dashboard runs against the stack's real Prometheus. The
// series fill in once the demo runs; here a query only has to be accepted.
import { describe, expect, it } from 'vitest';
import { instantQuery } from '../../support/prometheus.js';
import { externalClusterWithoutPrometheus } from '../../support/cluster.js';
import { loadDashboard, queries } from '../../unit/install/dashboard-queries.js';

describe.skipIf(externalClusterWithoutPrometheus())('Grafana dashboard against Prometheus', () => {
  it.each(queries(loadDashboard()).map((q) => [`${q.panel} ${q.refId}`, q] as const))('%s runs without error', async (_name, q) => {
    await expect(instantQuery(q.promql), q.promql).resolves.toBeInstanceOf(Array);
  });
});
