// The neural-network op table behind `F`: linear, convolution, pooling, normalisation, dropout, padding and
// losses. Argument order follows PyTorch's functional signatures; TS fills in the defaults.
#include "common.h"

namespace ecg {

namespace {

int64_t reduction(const Args& a, size_t i) {
  std::string r = a.Str(i);
  if (r == "none") return at::Reduction::None;
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  a.fail(i, "'none', 'mean' or 'sum'");
}

}  // namespace

const std::vector<OpDef> kNnOps = {
    OP(linear) { RET(at::linear(a.T(0), a.T(1), a.OT(2))); } END_OP,
    OP(embedding) { RET(at::embedding(a.T(0), a.T(1))); } END_OP,
    // conv1d/conv2d(x, w, b?, stride, padding: int[] | 'same' | 'valid', dilation, groups)
    OP(conv1d) {
      if (a.info[4].IsString()) RET(at::conv1d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.Str(4), a.IL(5), a.I(6)));
      RET(at::conv1d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.IL(4), a.IL(5), a.I(6)));
    } END_OP,
    OP(conv2d) {
      if (a.info[4].IsString()) RET(at::conv2d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.Str(4), a.IL(5), a.I(6)));
      RET(at::conv2d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.IL(4), a.IL(5), a.I(6)));
    } END_OP,
    // convTranspose1d(x, w, b?, stride, padding, outputPadding, groups, dilation)
    OP(convTranspose1d) {
      RET(at::conv_transpose1d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.IL(4), a.IL(5), a.I(6), a.IL(7)));
    } END_OP,
    // maxPool(x, kernel, stride, padding, dilation, ceilMode)
    OP(maxPool1d) { RET(at::max_pool1d(a.T(0), a.IL(1), a.IL(2), a.IL(3), a.IL(4), a.B(5))); } END_OP,
    OP(maxPool2d) { RET(at::max_pool2d(a.T(0), a.IL(1), a.IL(2), a.IL(3), a.IL(4), a.B(5))); } END_OP,
    // avgPool(x, kernel, stride, padding, ceilMode, countIncludePad)
    OP(avgPool1d) { RET(at::avg_pool1d(a.T(0), a.IL(1), a.IL(2), a.IL(3), a.B(4), a.B(5))); } END_OP,
    OP(avgPool2d) { RET(at::avg_pool2d(a.T(0), a.IL(1), a.IL(2), a.IL(3), a.B(4), a.B(5))); } END_OP,
    OP(adaptiveAvgPool1d) { RET(at::adaptive_avg_pool1d(a.T(0), a.IL(1))); } END_OP,
    OP(adaptiveMaxPool1d) { RET(std::get<0>(at::adaptive_max_pool1d(a.T(0), a.IL(1)))); } END_OP,
    OP(adaptiveAvgPool2d) { RET(at::adaptive_avg_pool2d(a.T(0), a.IL(1))); } END_OP,
    OP(adaptiveMaxPool2d) { RET(std::get<0>(at::adaptive_max_pool2d(a.T(0), a.IL(1)))); } END_OP,
    // batchNorm(x, runningMean?, runningVar?, weight?, bias?, training, momentum, eps); updates running stats in place
    OP(batchNorm) {
      RET(at::batch_norm(a.T(0), a.OT(3), a.OT(4), a.OT(1), a.OT(2), a.B(5), a.D(6), a.D(7), false));
    } END_OP,
    OP(groupNorm) { RET(at::group_norm(a.T(0), a.I(1), a.OT(2), a.OT(3), a.D(4), false)); } END_OP,
    OP(layerNorm) { RET(at::layer_norm(a.T(0), a.IL(1), a.OT(2), a.OT(3), a.D(4), false)); } END_OP,
    OP(dropout) { RET(at::dropout(a.T(0), a.D(1), a.B(2))); } END_OP,
    // pad(x, pads, mode, value?)
    OP(pad) { RET(at::pad(a.T(0), a.IL(1), a.Str(2), a.OD(3))); } END_OP,
    // crossEntropy(logits, target, weight?, reduction, ignoreIndex, labelSmoothing)
    OP(crossEntropy) {
      RET(at::cross_entropy_loss(a.T(0), a.T(1), a.OT(2), reduction(a, 3), a.I(4), a.D(5)));
    } END_OP,
    // nllLoss(logProbs, target, weight?, reduction, ignoreIndex)
    OP(nllLoss) { RET(at::nll_loss_nd(a.T(0), a.T(1), a.OT(2), reduction(a, 3), a.I(4))); } END_OP,
    // bceWithLogits(logits, target, weight?, posWeight?, reduction)
    OP(bceWithLogits) {
      RET(at::binary_cross_entropy_with_logits(a.T(0), a.T(1), a.OT(2), a.OT(3), reduction(a, 4)));
    } END_OP,
    OP(binaryCrossEntropy) { RET(at::binary_cross_entropy(a.T(0), a.T(1), a.OT(2), reduction(a, 3))); } END_OP,
    // klDiv(input, target, reduction, logTarget): 'batchmean' is 'sum' divided by the batch size in TS
    OP(klDiv) { RET(at::kl_div(a.T(0), a.T(1), reduction(a, 2), a.B(3))); } END_OP,
    OP(mseLoss) { RET(at::mse_loss(a.T(0), a.T(1), reduction(a, 2))); } END_OP,
    OP(l1Loss) { RET(at::l1_loss(a.T(0), a.T(1), reduction(a, 2))); } END_OP,
    OP(smoothL1Loss) { RET(at::smooth_l1_loss(a.T(0), a.T(1), reduction(a, 2), a.D(3))); } END_OP,
};

}  // namespace ecg
