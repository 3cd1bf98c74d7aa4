// Hand-written neural-network ops (the rest are generated, see tools/gen_ops.py): convolutions take padding
// as ints or as 'same'/'valid', which are two ATen overloads.
#include "common.h"

namespace ecg {

const std::vector<OpDef> kNnOps = {
    // conv1d/conv2d(x, w, b?, stride, padding: int[] | 'same' | 'valid', dilation, groups)
    OP(conv1d) {
      if (a.info[4].IsString()) RET(at::conv1d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.Str(4), a.IL(5), a.I(6)));
      RET(at::conv1d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.IL(4), a.IL(5), a.I(6)));
    } END_OP,
    OP(conv2d) {
      if (a.info[4].IsString()) RET(at::conv2d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.Str(4), a.IL(5), a.I(6)));
      RET(at::conv2d(a.T(0), a.T(1), a.OT(2), a.IL(3), a.IL(4), a.IL(5), a.I(6)));
    } END_OP,
};

}  // namespace ecg
