// Parameter-free elementwise layers: activations and dropout.
import { F, type Tensor } from './core.js';
import { Module } from './module.js';
import { probability } from './check.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}

/** GELU; approximate 'tanh' is PyTorch's tanh approximation. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** Zeroes elements with probability p in training and scales the rest by 1/(1-p); identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    probability('Dropout', 'p', p);
  }

  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}
