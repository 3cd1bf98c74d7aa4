export { confusionMatrix, type ConfusionMatrix } from './confusion.js';
export {
  perClassF1, perClassF1FromConfusion, macroF1, microF1, accuracy, balancedAccuracy,
  cinc2017F1, CINC2017_CLASSES, cpsc2018Score, CPSC2018_CLASSES, multiLabelF1, type Cpsc2018Score,
} from './classification.js';
export { auroc, averagePrecision, macroRanking, oneHot } from './ranking.js';
export { tuneThresholds, applyThresholds } from './thresholds.js';
export { bootstrapCI, percentile, pick, type BootstrapResult } from './bootstrap.js';
export { macroPrecisionRecall } from './precision-recall.js';
export { argmaxRows, evaluate, evaluateSingleLabel, evaluateMultiLabel, metricValue, bootstrapMetric, checkMetricName, CI_METRICS, type EvalMetrics } from './evaluate.js';
