/**
 * Single-label: one class per record, softmax outputs, cross-entropy. Multi-label: any number of classes per
 * record, one sigmoid per class, binary cross-entropy.
 */
export type Task = 'single-label' | 'multi-label';
