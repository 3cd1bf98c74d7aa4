#!/usr/bin/env python3
"""Generates native/generated/ops_generated.cc from PyTorch's own op declarations (native_functions.yaml).

    npm run gen -w @ecglab/engine      # = /usr/bin/python3 tools/gen_ops.py

The policy below is data: which ATen overload each JS-visible op binds. JS passes arguments in the schema's
order (positional, then keyword-only); trailing arguments that JS leaves undefined take the schema default.
Ops whose JS form needs logic (a number-or-tensor operand wrapped as a tensor, several overloads picked by
argument presence, padding given as ints or a string, dtype/device conversion, in-place ops on a freshly
made output) stay hand-written in native/ops_tensor.cc, ops_nn.cc and creation.cc; SKIPPED says why.
"""
import os
import re

import torchgen
import yaml
from torchgen.model import FunctionSchema

HERE = os.path.dirname(os.path.abspath(__file__))
YAML = os.path.join(os.path.dirname(torchgen.__file__), 'packaged', 'ATen', 'native', 'native_functions.yaml')
OUT = os.path.join(HERE, '..', 'native', 'generated', 'ops_generated.cc')

# (JS name, ATen overload). A dict adds options: scalar = overload used when argument 1 is a JS number;
# returns = 'none' (in-place: JS keeps its own handle) or 'first' (only the first tensor of a tuple).
OPS = [
    # views and indexing
    ('reshape', 'reshape'), ('view', 'view'), ('flatten', 'flatten.using_ints'), ('permute', 'permute'),
    ('transpose', 'transpose.int'), ('t', 't'), ('unsqueeze', 'unsqueeze'), ('expand', 'expand'),
    ('repeat', 'repeat'), ('flip', 'flip'), ('roll', 'roll'), ('slice', 'slice.Tensor'), ('select', 'select.int'),
    ('narrow', 'narrow'), ('indexSelect', 'index_select'), ('gather', 'gather'), ('scatter', 'scatter.src'),
    ('maskedSelect', 'masked_select'), ('maskedFill', 'masked_fill.Scalar'), ('contiguous', 'contiguous'),
    ('chunk', 'chunk'), ('split', 'split.Tensor'), ('splitWithSizes', 'split_with_sizes'), ('cat', 'cat'),
    ('stack', 'stack'), ('tril', 'tril'), ('triu', 'triu'),
    # elementwise: a JS number as argument 1 selects the Scalar overload (PyTorch's type promotion for scalars)
    ('add', 'add.Tensor', {'scalar': 'add.Scalar'}), ('sub', 'sub.Tensor', {'scalar': 'sub.Scalar'}),
    ('mul', 'mul.Tensor', {'scalar': 'mul.Scalar'}), ('div', 'div.Tensor', {'scalar': 'div.Scalar'}),
    ('pow', 'pow.Tensor_Tensor', {'scalar': 'pow.Tensor_Scalar'}),
    ('remainder', 'remainder.Tensor', {'scalar': 'remainder.Scalar'}),
    ('eq', 'eq.Tensor', {'scalar': 'eq.Scalar'}), ('ne', 'ne.Tensor', {'scalar': 'ne.Scalar'}),
    ('lt', 'lt.Tensor', {'scalar': 'lt.Scalar'}), ('le', 'le.Tensor', {'scalar': 'le.Scalar'}),
    ('gt', 'gt.Tensor', {'scalar': 'gt.Scalar'}), ('ge', 'ge.Tensor', {'scalar': 'ge.Scalar'}),
    ('atan2', 'atan2'),
    ('neg', 'neg'), ('abs', 'abs'), ('exp', 'exp'), ('expm1', 'expm1'), ('log', 'log'), ('log1p', 'log1p'),
    ('sqrt', 'sqrt'), ('rsqrt', 'rsqrt'), ('sin', 'sin'), ('cos', 'cos'), ('sign', 'sign'), ('square', 'square'),
    ('reciprocal', 'reciprocal'), ('floor', 'floor'), ('ceil', 'ceil'), ('round', 'round'),
    ('logicalNot', 'logical_not'), ('isnan', 'isnan'), ('isfinite', 'isfinite'),
    ('relu', 'relu'), ('sigmoid', 'sigmoid'), ('tanh', 'tanh'), ('logSigmoid', 'log_sigmoid'),
    ('softplus', 'softplus'), ('silu', 'silu'), ('elu', 'elu'), ('clamp', 'clamp'), ('gelu', 'gelu'),
    ('leakyRelu', 'leaky_relu'), ('softmax', 'softmax.int'), ('logSoftmax', 'log_softmax.int'),
    # reductions
    ('sum', 'sum.dim_IntList'), ('mean', 'mean.dim'), ('std', 'std.dim'), ('var', 'var.dim'),
    ('maxDim', 'max.dim'), ('minDim', 'min.dim'), ('argmax', 'argmax'), ('argmin', 'argmin'),
    ('logsumexp', 'logsumexp'), ('cumsum', 'cumsum'), ('all', 'all'), ('any', 'any'), ('equal', 'equal'),
    ('allclose', 'allclose'),
    # linear algebra
    ('matmul', 'matmul'), ('mm', 'mm'), ('bmm', 'bmm'), ('dot', 'dot'), ('outer', 'outer'),
    # conversion
    ('clone', 'clone'), ('detach', 'detach'),
    # in-place updates for optimizers and initialisers
    ('add_', 'add_.Tensor', {'scalar': 'add_.Scalar', 'returns': 'none'}),
    ('sub_', 'sub_.Tensor', {'scalar': 'sub_.Scalar', 'returns': 'none'}),
    ('mul_', 'mul_.Tensor', {'scalar': 'mul_.Scalar', 'returns': 'none'}),
    ('div_', 'div_.Tensor', {'scalar': 'div_.Scalar', 'returns': 'none'}),
    ('addcmul_', 'addcmul_', {'returns': 'none'}), ('addcdiv_', 'addcdiv_', {'returns': 'none'}),
    ('lerp_', 'lerp_.Scalar', {'returns': 'none'}), ('copy_', 'copy_', {'returns': 'none'}),
    ('zero_', 'zero_', {'returns': 'none'}), ('fill_', 'fill_.Scalar', {'returns': 'none'}),
    ('clamp_', 'clamp_', {'returns': 'none'}), ('uniform_', 'uniform_', {'returns': 'none'}),
    ('normal_', 'normal_', {'returns': 'none'}),
    # neural-network functions
    ('linear', 'linear'), ('embedding', 'embedding'), ('convTranspose1d', 'conv_transpose1d'),
    ('maxPool1d', 'max_pool1d'), ('maxPool2d', 'max_pool2d'), ('avgPool1d', 'avg_pool1d'),
    ('avgPool2d', 'avg_pool2d'), ('adaptiveAvgPool1d', 'adaptive_avg_pool1d'),
    ('adaptiveAvgPool2d', 'adaptive_avg_pool2d'),
    ('adaptiveMaxPool1d', 'adaptive_max_pool1d', {'returns': 'first'}),
    ('adaptiveMaxPool2d', 'adaptive_max_pool2d', {'returns': 'first'}),
    ('batchNorm', 'batch_norm'), ('groupNorm', 'group_norm'), ('layerNorm', 'layer_norm'), ('dropout', 'dropout'),
    ('pad', 'pad'),
    # fused inference kernels (no autograd): what PyTorch's nn.TransformerEncoderLayer runs in eval without grad
    ('transformerEncoderLayerFwd', '_transformer_encoder_layer_fwd'),
    # losses (an int argument named `reduction` is read from 'none' | 'mean' | 'sum')
    ('crossEntropy', 'cross_entropy_loss'), ('nllLoss', 'nll_loss_nd'),
    ('bceWithLogits', 'binary_cross_entropy_with_logits'), ('binaryCrossEntropy', 'binary_cross_entropy'),
    ('klDiv', 'kl_div'), ('mseLoss', 'mse_loss'), ('l1Loss', 'l1_loss'), ('smoothL1Loss', 'smooth_l1_loss'),
]

# Hand-written instead, and why (documentation for the next reader; not read by the generator).
SKIPPED = {
    'squeeze': 'squeeze vs squeeze.dim chosen by whether dim is given',
    'where, maximum, minimum, logicalAnd, logicalOr': 'a JS number operand is wrapped as a 0-dim tensor',
    'amax, amin': 'no dims means the whole tensor (at::max), which amax spells differently',
    'prod, norm': 'two overloads chosen by whether dim is given',
    'to': 'dtype and/or device',
    'maximum_': 'no in-place overload in 1.13 (maximum_out)',
    'conv1d, conv2d': "padding is ints or 'same'/'valid' (two overloads)",
    'creation ops, fromArray, toArray, item': 'TensorOptions and typed-array I/O (creation.cc)',
}

# Schema type -> Args reader. `{i}` is the JS argument index.
READERS = {
    'Tensor': 'a.T({i})', 'Tensor?': 'a.OT({i})', 'Tensor[]': 'a.TL({i})',
    'int': 'a.I({i})', 'SymInt': 'a.I({i})', 'int?': 'a.OI({i})', 'SymInt?': 'a.OI({i})',
    'float': 'a.D({i})', 'float?': 'a.OD({i})', 'bool': 'a.B({i})',
    'Scalar': 'a.S({i})', 'Scalar?': 'a.OS({i})', 'str': 'a.Str({i})', 'ScalarType?': 'a.ODT({i})',
    'Generator?': 'c10::optional<at::Generator>()', 'MemoryFormat?': 'c10::optional<at::MemoryFormat>()',
}
INT_LIST = re.compile(r'^(int|SymInt)\[\d*\]$')
OPT_INT_LIST = re.compile(r'^(int|SymInt)\[\d*\]\?$')


def default_expr(ty, name, default):
    """C++ for a schema default, used when JS leaves the argument undefined."""
    if name == 'reduction':
        return 'static_cast<int64_t>(at::Reduction::%s)' % default
    if INT_LIST.match(ty):
        inner = default.strip('[]')
        return 'std::vector<int64_t>{%s}' % inner
    if ty == 'bool':
        return 'true' if default == 'True' else 'false'
    if ty in ('int', 'SymInt'):
        return 'int64_t(%s)' % default
    if ty == 'float':
        return 'double(%s)' % default
    if ty == 'Scalar':
        return 'at::Scalar(%s)' % default
    if ty == 'str':
        return 'std::string(%s)' % default.replace("'", '"')
    if ty == 'MemoryFormat':
        assert default == 'contiguous_format', default
        return 'at::MemoryFormat::Contiguous'
    raise ValueError('no default translation for %s %s=%s' % (ty, name, default))


def arg_exprs(schema, pre):
    """Statements that read optional int lists into locals, and the call's argument expressions."""
    stmts, exprs = [], []
    for i, arg in enumerate(schema.arguments.flat_all):
        if arg.name == 'out':
            raise ValueError('out= overloads are not bound')
        ty, name, default = str(arg.type), arg.name, arg.default
        if ty == 'Tensor(a!)' or ty.startswith('Tensor('):
            ty = 'Tensor'
        if OPT_INT_LIST.match(ty):
            var = '%s%d' % (pre, i)
            stmts.append('auto %s = a.OIL(%d);' % (var, i))  # keeps the vector alive during the call
            exprs.append('optRef(%s)' % var)
            continue
        if name == 'reduction' and ty == 'int':
            read = 'a.Red(%d)' % i
        elif INT_LIST.match(ty):
            read = 'a.IL(%d)' % i
        elif ty == 'MemoryFormat':
            read = None
        elif ty in READERS:
            read = READERS[ty].format(i=i)
        else:
            raise ValueError('unsupported argument type %s %s' % (ty, name))
        if ty.endswith('?') or default is None:
            exprs.append(read)
        elif read is None:
            exprs.append(default_expr(ty, name, default))
        else:
            exprs.append('(a.has(%d) ? %s : %s)' % (i, read, default_expr(ty, name, default)))
    return stmts, exprs


def call_expr(schema, variants, exprs):
    name = str(schema.name.name)
    # In-place ops as methods: the function forms take `Tensor&`, which a temporary handle copy cannot bind.
    if 'function' in variants and not (name.endswith('_') and 'method' in variants):
        return 'at::%s(%s)' % (name, ', '.join(exprs))
    return '%s.%s(%s)' % (exprs[0], name, ', '.join(exprs[1:]))


def result_stmt(schema, call, returns):
    types = [str(r.type) for r in schema.returns]
    if returns == 'none':
        return '%s;\n      return a.env().Undefined();' % call
    if returns == 'first':
        return 'RET(std::get<0>(%s));' % call
    if types == ['Tensor'] or (len(types) == 1 and types[0].startswith('Tensor(')):
        return 'RET(%s);' % call
    if types and all(t == 'Tensor' for t in types):
        gets = ', '.join('std::get<%d>(r)' % k for k in range(len(types)))
        return 'auto r = %s;\n      return wrapList(a.env(), {%s});' % (call, gets)
    if types in (['Tensor[]'],) or (len(types) == 1 and types[0].startswith('Tensor(') and types[0].endswith('[]')):
        return 'return wrapList(a.env(), %s);' % call
    if types == ['bool']:
        return 'return boolean(a, %s);' % call
    raise ValueError('unsupported returns %s' % types)


def main():
    with open(YAML) as f:
        decls = yaml.safe_load(f)
    by_name = {}
    for d in decls:
        schema = FunctionSchema.parse(d['func'])
        key = str(schema.name)
        by_name[key] = (schema, d.get('variants', 'function'))
    rows = []
    for entry in OPS:
        js, overload = entry[0], entry[1]
        opts = entry[2] if len(entry) > 2 else {}
        schema, variants = by_name[overload]
        stmts, exprs = arg_exprs(schema, 'v')
        body = stmts[:]
        if 'scalar' in opts:
            s_schema, s_variants = by_name[opts['scalar']]
            s_stmts, s_exprs = arg_exprs(s_schema, 's')
            s_call = call_expr(s_schema, s_variants, s_exprs)
            body.append('if (a.isNumber(1)) {')
            body.extend('  ' + s for s in s_stmts)
            body.append('  ' + result_stmt(s_schema, s_call, opts.get('returns')).replace('\n      ', '\n        '))
            body.append('}')
        body.append(result_stmt(schema, call_expr(schema, variants, exprs), opts.get('returns')))
        text = '\n      '.join(body)
        rows.append('    // %s: %s\n    OP(%s) {\n      %s\n    } END_OP,' % (js, schema, js, text))

    out = '\n'.join([
        '// GENERATED by packages/engine/tools/gen_ops.py from native_functions.yaml -- DO NOT EDIT.',
        '// Remake with `npm run gen -w @ecglab/engine`. JS passes arguments in each schema\'s order.',
        '#include "../common.h"',
        '',
        'namespace ecg {',
        '',
        'const std::vector<OpDef> kGeneratedOps = {',
        *rows,
        '};',
        '',
        '}  // namespace ecg',
        '',
    ])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + '.tmp'
    with open(tmp, 'w') as f:
        f.write(out)
    os.replace(tmp, OUT)
    print('wrote %d ops to %s' % (len(rows), os.path.relpath(OUT)))


if __name__ == '__main__':
    main()
