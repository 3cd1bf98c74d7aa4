// Interop with PyTorch: a Python process (torch.distributed, Gloo; fixtures/distributed/torch_peer.py, run with
// Debian's /usr/bin/python3) hosts the group over tcp://127.0.0.1 as rank 0, and an ecglab process joins it as
// rank 1 through torchrun's variables (env://). Both make the same collectives; both must see the same values.
// That only works if the store keys, the barrier and Gloo's wire protocol are PyTorch's own.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { startRank, startTorchPeer, freePort, torchMissing, describeOutcome, type RankOutcome } from '../../fixtures/distributed/spawn.js';

const missing = torchMissing();

describe('an ecglab process and a PyTorch process in one group', { skip: missing ?? false }, () => {
  let torchSide: RankOutcome;
  let ecglabSide: RankOutcome;

  before(async () => {
    const port = await freePort();
    const torchRank = startTorchPeer(`tcp://127.0.0.1:${port}`, 0, 2);
    const ecglabRank = startRank({ initMethod: 'env://', timeout: 30_000, scenarios: ['interop'] },
      { MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: '1', WORLD_SIZE: '2', LOCAL_RANK: '1' });
    [torchSide, ecglabSide] = await Promise.all([torchRank.done, ecglabRank.done]);
    assert.ok(torchSide.result, `no RESULT from ${describeOutcome(torchSide)}`);
    assert.ok(ecglabSide.result, `no RESULT from ${describeOutcome(ecglabSide)}`);
  });

  it('all-reduces, broadcasts and all-gathers the same values on both sides', () => {
    const expected = { sum: [3, 6, 9, 12], broadcast: [0.25, -7.5], allGather: [[0, 1, 2], [100, 101, 102]], max: [1, 7] };
    assert.deepEqual(torchSide.result!.interop, expected);
    assert.deepEqual(ecglabSide.result!.interop, expected);
  });

  it("takes rank, world size and local rank from torchrun's variables", () => {
    assert.deepEqual([ecglabSide.result!.rank, ecglabSide.result!.worldSize, ecglabSide.result!.localRank], [1, 2, 1]);
    assert.equal(ecglabSide.code, 0, describeOutcome(ecglabSide));
    assert.equal(torchSide.code, 0, describeOutcome(torchSide));
  });
});

if (missing) console.log(`# interop test skipped: ${missing}`);
