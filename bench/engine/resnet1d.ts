// A 1-D ResNet-18 with GroupNorm, built with @ecglab/engine's nn exactly as bench/engine/resnet1d.py builds
// it in PyTorch (same module tree, so the state-dict names match and PyTorch's weights load unchanged).
import { nn, type Tensor } from '@ecglab/engine';

export const LEADS = 12;
export const SAMPLES = 5000;
export const BATCH = 32;
export const CLASSES = 9;

export class BasicBlock extends nn.Module {
  conv1: nn.Conv1d;
  gn1: nn.GroupNorm;
  conv2: nn.Conv1d;
  gn2: nn.GroupNorm;
  downsample: nn.Sequential | null = null;

  constructor(cin: number, cout: number, stride: number) {
    super();
    this.conv1 = new nn.Conv1d(cin, cout, 3, { stride, padding: 1, bias: false });
    this.gn1 = new nn.GroupNorm(32, cout);
    this.conv2 = new nn.Conv1d(cout, cout, 3, { padding: 1, bias: false });
    this.gn2 = new nn.GroupNorm(32, cout);
    if (stride !== 1 || cin !== cout) {
      this.downsample = new nn.Sequential(new nn.Conv1d(cin, cout, 1, { stride, bias: false }), new nn.GroupNorm(32, cout));
    }
  }

  // nn.pipe drops each intermediate as soon as it is used, as PyTorch's refcounting does (see nn/pipe.ts).
  forward(x: Tensor): Tensor {
    const idt = this.downsample === null ? x : this.downsample.forward(x);
    const h = nn.pipe(x, (t) => this.conv1.forward(t), (t) => this.gn1.forward(t), (t) => t.relu(),
      (t) => this.conv2.forward(t), (t) => this.gn2.forward(t));
    const out = nn.pipe(h, (t) => t.add(idt), (t) => t.relu());
    h.dispose();
    if (idt !== x) idt.dispose();
    return out;
  }
}

export class ResNet1d18 extends nn.Module {
  conv1: nn.Conv1d;
  gn1: nn.GroupNorm;
  pool: nn.MaxPool1d;
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  fc: nn.Linear;

  constructor(leads = LEADS, classes = CLASSES) {
    super();
    this.conv1 = new nn.Conv1d(leads, 64, 7, { stride: 2, padding: 3, bias: false }); // [N, 64, L/2]
    this.gn1 = new nn.GroupNorm(32, 64);
    this.pool = new nn.MaxPool1d(3, { stride: 2, padding: 1 });                        // [N, 64, L/4]
    const stage = (cin: number, c: number, stride: number) => new nn.Sequential(new BasicBlock(cin, c, stride), new BasicBlock(c, c, 1));
    this.layer1 = stage(64, 64, 1);
    this.layer2 = stage(64, 128, 2);
    this.layer3 = stage(128, 256, 2);
    this.layer4 = stage(256, 512, 2);                                                  // [N, 512, L/32]
    this.fc = new nn.Linear(512, classes);
  }

  forward(x: Tensor): Tensor {
    return nn.pipe(x, (t) => this.conv1.forward(t), (t) => this.gn1.forward(t), (t) => t.relu(), (t) => this.pool.forward(t),
      (t) => this.layer1.forward(t), (t) => this.layer2.forward(t), (t) => this.layer3.forward(t), (t) => this.layer4.forward(t),
      (t) => t.mean(2), (t) => this.fc.forward(t));                                     // [N, 512] → [N, classes]
  }
}
