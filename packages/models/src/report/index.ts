// Plots for reports and `ecglab plot`: line charts drawn with Chart.js on a Skia canvas, to PNG.
export {
  lineChart, accuracyVsEpsPlot, accuracyVsWhiteNoisePlot, accuracyVsNstdbPlot, trainingCurvesPlot, writeTrainingCurves, readRunLog, SERIES_COLOURS,
  type Series, type LineChartSpec, type RenderedChart, type RobustnessCurve, type EpochLog,
} from './plots.js';
