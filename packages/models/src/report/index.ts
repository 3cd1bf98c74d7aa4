// Plots for reports and `ecglab plot`: line charts drawn with Chart.js on a Skia canvas, to PNG.
export {
  lineChart, adversarialSignalPlot, accuracyVsEpsPlot, accuracyVsWhiteNoisePlot, accuracyVsNstdbPlot, trainingCurvesPlot, writeTrainingCurves, readRunLog, SERIES_COLOURS,
  type Series, type LineChartSpec, type AdversarialSignal, type RenderedChart, type RobustnessCurve, type EpochLog,
} from './plots.js';
// The robustness report: every model on one dataset, clean and under attacks and noise, as JSON, Markdown and plots.
export {
  evaluateRobustness, conditionRng, type RobustnessOptions, type RobustnessReport, type ModelRobustness, type Scores, type ReportAttack,
} from './robustness-eval.js';
export { writeRobustnessReport, robustnessMarkdown, describeAttack } from './robustness-write.js';
// `ecglab attack`: records attacked against the model's own decision, written as WFDB with a PNG of both signals.
export { attackRecords, writeAdversarialRecords, adversarialName, type AdversarialRecord } from './adversarial-records.js';
