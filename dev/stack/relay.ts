// A TCP relay: lets pods on the real node reach the API server, which listens on
// loopback only. The `kubernetes` Service's endpoint is this relay on the bridge
// address, so in-cluster clients (KUBERNETES_SERVICE_HOST) work as on any cluster; TLS
// passes through untouched.
//
//   node --import tsx dev/stack/relay.ts LISTEN_HOST:PORT TARGET_HOST:PORT
import { connect, createServer } from 'node:net';

function hostPort(value: string | undefined, what: string): { host: string; port: number } {
  const m = /^([\d.]+):(\d+)$/.exec(value ?? '');
  if (!m?.[1] || !m[2]) {
    console.error(`usage: relay LISTEN_HOST:PORT TARGET_HOST:PORT (bad ${what}: ${value ?? 'missing'})`);
    process.exit(2);
  }
  return { host: m[1], port: Number(m[2]) };
}

const listen = hostPort(process.argv[2], 'listen address');
const target = hostPort(process.argv[3], 'target address');

const server = createServer((client) => {
  const upstream = connect(target.port, target.host);
  client.pipe(upstream).pipe(client);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
});
server.listen(listen.port, listen.host, () => console.log(`relaying ${listen.host}:${listen.port} -> ${target.host}:${target.port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
