// resolveRendezvous: torch.distributed's init-method rules (env://, tcp://, file://) and torchrun's variables.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRendezvous, DEFAULT_TIMEOUT_MS } from './init-method.js';
import { TorchError } from '../errors.js';

const torchrun = { MASTER_ADDR: 'node-0.cluster', MASTER_PORT: '29500', WORLD_SIZE: '8', RANK: '5', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '4' };

function argumentError(pattern: RegExp) {
  return (e: unknown) => e instanceof TorchError && e.code === 'ARGUMENT' && pattern.test(e.message);
}

describe('resolveRendezvous', () => {
  it("reads torchrun's variables for env:// (the default)", () => {
    assert.deepEqual(resolveRendezvous({ env: torchrun }), {
      backend: 'gloo', initMethod: 'env://', store: 'tcp', address: 'node-0.cluster', port: 29500,
      hostStore: false, storePrefix: '', rank: 5, worldSize: 8, localRank: 1, localWorldSize: 4, timeout: DEFAULT_TIMEOUT_MS,
    });
  });

  it("joins torchrun's agent store as a client, under the restart's prefix", () => {
    const r = resolveRendezvous({ env: { ...torchrun, RANK: '0', TORCHELASTIC_USE_AGENT_STORE: 'True', TORCHELASTIC_RESTART_COUNT: '2' } });
    assert.deepEqual([r.rank, r.hostStore, r.storePrefix], [0, false, '/worker/attempt_2']);
    assert.equal(resolveRendezvous({ env: { ...torchrun, RANK: '0' } }).hostStore, true);  // without the agent, rank 0 hosts
  });

  it('lets options win over the URL query, and the query over the environment, as torch.distributed does', () => {
    const r = resolveRendezvous({ initMethod: 'env://?rank=2&world_size=3', env: torchrun });
    assert.deepEqual([r.rank, r.worldSize], [2, 3]);
    const o = resolveRendezvous({ initMethod: 'env://?rank=2&world_size=3', rank: 0, worldSize: 4, env: torchrun });
    assert.deepEqual([o.rank, o.worldSize], [0, 4]);
  });

  it('parses tcp:// and file:// and takes rank and world size from options or the query', () => {
    const t = resolveRendezvous({ initMethod: 'tcp://127.0.0.1:23456', rank: 1, worldSize: 2, timeout: 5000, env: {} });
    assert.deepEqual([t.store, t.address, t.port, t.rank, t.worldSize, t.localRank, t.localWorldSize, t.timeout],
      ['tcp', '127.0.0.1', 23456, 1, 2, 1, 2, 5000]);
    assert.equal(resolveRendezvous({ initMethod: 'tcp://[::1]:80', rank: 0, worldSize: 1, env: {} }).address, '::1');
    const f = resolveRendezvous({ initMethod: 'file:///tmp/run%201/store?rank=0&world_size=2', env: {} });
    assert.deepEqual([f.store, f.address, f.port, f.rank, f.worldSize], ['file', '/tmp/run 1/store', 0, 0, 2]);
  });

  it('names the missing variable, option or URL part', () => {
    assert.throws(() => resolveRendezvous({ env: { ...torchrun, MASTER_ADDR: undefined } }),
      argumentError(/env:\/\/ needs the environment variable MASTER_ADDR \(torchrun sets it\), but it is not set/));
    assert.throws(() => resolveRendezvous({ env: { MASTER_ADDR: 'a', MASTER_PORT: '1', WORLD_SIZE: '2' } }),
      argumentError(/needs 'rank' \(the option 'rank' or the environment variable RANK/));
    assert.throws(() => resolveRendezvous({ initMethod: 'tcp://127.0.0.1:29500', rank: 0, env: {} }),
      argumentError(/tcp:\/\/ needs 'worldSize' \(the option 'worldSize' or \?world_size= in the URL\)/));
    assert.throws(() => resolveRendezvous({ initMethod: 'tcp://127.0.0.1', rank: 0, worldSize: 1, env: {} }),
      argumentError(/tcp:\/\/ needs a port/));
    assert.throws(() => resolveRendezvous({ env: { ...torchrun, MASTER_PORT: '70000' } }),
      argumentError(/MASTER_PORT must be an integer in \[1, 65535\], got "70000"/));
    assert.throws(() => resolveRendezvous({ initMethod: 'nfs://x', rank: 0, worldSize: 1, env: {} }),
      argumentError(/must start with env:\/\/, tcp:\/\/ or file:\/\//));
    assert.throws(() => resolveRendezvous({ initMethod: 'tcp://h:1', rank: 2, worldSize: 2, env: {} }),
      argumentError(/'rank' must be below 'worldSize' \(2\), got 2/));
    assert.throws(() => resolveRendezvous({ initMethod: 'tcp://h:1', rank: 0, worldSize: 1, timeout: 0, env: {} }),
      argumentError(/'timeout' \(milliseconds\) must be an integer/));
  });
});
