// The Node flags the controller image runs with: one source for the Dockerfile (checked by
// test/unit/install/dockerfile.test.ts), the locally built image and the benchmarks.
//
// V8 grows its young generation to 3 x 16 MiB under a burst of allocation (a canary wave
// parses thousands of watch events) and keeps it. A 4 MiB semi-space took one replica with
// 1,000 Rollouts from 296 to 153 MiB peak and 181 to 138 MiB steady RSS, for about a quarter
// more controller CPU in the wave (more, cheaper scavenges): test/bench/controller-scale.ts.
export const CONTROLLER_NODE_OPTIONS = '--max-semi-space-size=4';
