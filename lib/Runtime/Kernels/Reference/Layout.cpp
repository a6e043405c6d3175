//===- Layout.cpp - Data movement ops -------------------------------------===//
//
// These copy elements of any type: each element is moved as an unsigned
// integer of the element's size (withElementSize).
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace mlc::rt::ref {

namespace {

// y[i] = x[offset(i)] for every element of y, offsets from the strides of
// x seen in y's index space.
void gather(const TensorRef &x, const TensorRef &y, const std::vector<int64_t> &xStrides,
            int64_t base = 0) {
  withElementSize(elementSize(x.type), [&](auto tag) {
    using T = decltype(tag);
    const T *px = x.as<T>() + base;
    T *py = y.as<T>();
    const std::vector<int64_t> strides[1] = {xStrides};
    forEachIndex(y.dims, strides, [&](int64_t i, const int64_t *o) { py[i] = px[o[0]]; });
  });
}

void checkSameType(const KernelArgs &args, const TensorRef &x, const TensorRef &y) {
  checkType(args, y, x.type, "output");
}

} // namespace

// A kernel that reads its output, seen with dims `ydims`, from its input at
// `strides`: a permutation of blocks (DepthToSpace, SpaceToDepth).
static KernelPtr makeGatherKernel(std::vector<int64_t> ydims,
                                  std::vector<int64_t> strides) {
  return makeKernel([ydims, strides](const KernelArgs &args) {
    TensorRef y = *args.outputs[0];
    y.dims = ydims;
    gather(*args.inputs[0], y, strides);
  });
}

KernelPtr makeDepthToSpace(const KernelArgs &args) {
  const auto *p = args.op->params_as_DepthToSpaceParams();
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkSameType(args, x, y);
  checkRank(args, x, 4, "input");
  int64_t b = p->blocksize();
  if (b < 1 || b > kMaxParam || x.dim(1) % (b * b) != 0)
    args.fail("blocksize " + std::to_string(b) + " must be >= 1 and its square divide the channels");
  if (p->mode() > format::DepthToSpaceMode::MAX)
    args.fail("unknown mode");
  int64_t n = x.dim(0), c = x.dim(1) / (b * b), h = x.dim(2), w = x.dim(3);
  checkDims(args, y, {n, c, h * b, w * b}, "output");
  // y[n][c][h][i][w][j] (y's dims split) reads x's channel
  // (i * b + j) * c + ch (dcr) or ch * b * b + i * b + j (crd).
  std::vector<int64_t> ydims = {n, c, h, b, w, b};
  std::vector<int64_t> xs = stridesOf(x.dims); // n, C, h, w
  std::vector<int64_t> strides;
  if (p->mode() == format::DepthToSpaceMode::dcr)
    strides = {xs[0], xs[1], xs[2], b * c * xs[1], xs[3], c * xs[1]};
  else
    strides = {xs[0], b * b * xs[1], xs[2], b * xs[1], xs[3], xs[1]};
  return makeGatherKernel(ydims, strides);
}

KernelPtr makeSpaceToDepth(const KernelArgs &args) {
  const auto *p = args.op->params_as_SpaceToDepthParams();
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkSameType(args, x, y);
  checkRank(args, x, 4, "input");
  int64_t b = p->blocksize();
  if (b < 1 || b > kMaxParam || x.dim(2) % b != 0 || x.dim(3) % b != 0)
    args.fail("blocksize " + std::to_string(b) + " must be >= 1 and divide height and width");
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2) / b, w = x.dim(3) / b;
  checkDims(args, y, {n, c * b * b, h, w}, "output");
  // y[n][i][j][c][h][w] reads x[n][c][h * b + i][w * b + j].
  std::vector<int64_t> xs = stridesOf(x.dims);
  std::vector<int64_t> ydims = {n, b, b, c, h, w};
  std::vector<int64_t> strides = {xs[0], xs[2], xs[3], xs[1], b * xs[2], b * xs[3]};
  return makeGatherKernel(ydims, strides);
}

KernelPtr makePad(const KernelArgs &args) {
  const auto *p = args.op->params_as_PadParams();
  checkOperands(args, 1, 2, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkSameType(args, x, y);
  format::PadMode mode = p->mode();
  if (mode > format::PadMode::MAX)
    args.fail("unknown pad mode");
  if (const TensorRef *v = args.input(1)) {
    checkType(args, *v, x.type, "pad value");
    checkScalar(args, *v, "pad value");
  }
  size_t rank = x.rank();
  if (!p->pads() || p->pads()->size() != 2 * rank)
    args.fail("pads need two values per dim");
  std::vector<int64_t> out(rank), begins(rank);
  for (size_t d = 0; d < rank; ++d) {
    begins[d] = checkParam(args, exprValue(args, p->pads()->Get(d)), "pad");
    int64_t end = checkParam(args, exprValue(args, p->pads()->Get(rank + d)), "pad");
    out[d] = x.dim(d) + begins[d] + end;
    if (out[d] < 0)
      args.fail("pads crop more than the input");
  }
  checkDims(args, y, out, "output");
  // For each dim, the input index each output index reads (-1: the value).
  std::vector<std::vector<int64_t>> source(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t in = x.dim(d);
    source[d].resize(out[d]);
    for (int64_t o = 0; o < out[d]; ++o) {
      int64_t i = o - begins[d];
      if (i >= 0 && i < in) {
        source[d][o] = i;
        continue;
      }
      if (mode == format::PadMode::constant) {
        source[d][o] = -1;
        continue;
      }
      if (in == 0)
        args.fail("cannot pad an empty dim in this mode");
      if (mode == format::PadMode::edge)
        i = i < 0 ? 0 : in - 1;
      else if (mode == format::PadMode::wrap)
        i = ((i % in) + in) % in;
      else if (in == 1)
        i = 0;
      else { // reflect, repeatedly for pads longer than the input (numpy).
        int64_t period = 2 * (in - 1);
        i = ((i % period) + period) % period;
        if (i >= in)
          i = period - i;
      }
      source[d][o] = i;
    }
  }
  std::vector<int64_t> xStrides = stridesOf(x.dims);
  return makeKernel([source, xStrides](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    const TensorRef *value = args.input(1);
    size_t rank = x.rank();
    int64_t total = y.count();
    withElementSize(elementSize(x.type), [&](auto tag) {
      using T = decltype(tag);
      const T *px = x.as<T>();
      T *py = y.as<T>();
      T fill = value ? *value->as<T>() : T(0);
      if (rank == 0) {
        if (total)
          py[0] = px[0];
        return;
      }
      std::vector<int64_t> index(rank, 0);
      const std::vector<int64_t> &last = source[rank - 1];
      int64_t inner = y.dim(rank - 1);
      for (int64_t i = 0; i < total; i += inner) {
        int64_t base = 0;
        bool outside = false;
        for (size_t d = 0; d + 1 < rank; ++d) {
          int64_t s = source[d][index[d]];
          outside |= s < 0;
          base += s * xStrides[d];
        }
        for (int64_t j = 0; j < inner; ++j)
          py[i + j] = outside || last[j] < 0 ? fill : px[base + last[j]];
        for (size_t d = rank - 1; d-- > 0;) {
          if (++index[d] < y.dim(d))
            break;
          index[d] = 0;
        }
      }
    });
  });
}

KernelPtr makeReshape(const KernelArgs &args) {
  // Flatten, Squeeze, Unsqueeze keep a shape operand some lowerings pass.
  checkOperands(args, 1, 2, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkSameType(args, x, y);
  if (x.count() != y.count())
    args.fail("output dims " + formatShape(y.dims) + " hold " +
              std::to_string(y.count()) + " elements, input " + formatShape(x.dims) +
              " has " + std::to_string(x.count()));
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    // When the planner gave both the same bytes there is nothing to do.
    if (x.data != y.data)
      std::memmove(y.data, x.data, x.bytes());
  });
}

KernelPtr makeTranspose(const KernelArgs &args) {
  const auto *p = args.op->params_as_TransposeParams();
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkSameType(args, x, y);
  size_t rank = x.rank();
  std::vector<int64_t> perm;
  if (p->perm())
    for (int32_t v : *p->perm())
      perm.push_back(v);
  if (perm.empty()) { // ONNX's default reverses the dims.
    perm.resize(rank);
    for (size_t i = 0; i < rank; ++i)
      perm[i] = rank - 1 - i;
  }
  std::vector<bool> seen(rank, false);
  if (perm.size() != rank)
    args.fail("perm has " + std::to_string(perm.size()) + " entries for rank " +
              std::to_string(rank));
  for (int64_t v : perm) {
    if (v < 0 || v >= static_cast<int64_t>(rank) || seen[v])
      args.fail("perm is not a permutation");
    seen[v] = true;
  }
  std::vector<int64_t> out(rank), xs = stridesOf(x.dims), strides(rank);
  for (size_t i = 0; i < rank; ++i) {
    out[i] = x.dim(perm[i]);
    strides[i] = xs[perm[i]];
  }
  checkDims(args, y, out, "output");
  return makeKernel([strides](const KernelArgs &args) {
    gather(*args.inputs[0], *args.outputs[0], strides);
  });
}

namespace {
// Sizes of the dims before `axis` and after it.
void splitAround(const std::vector<int64_t> &dims, int64_t axis, int64_t &outer,
                 int64_t &inner) {
  outer = inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= dims[i];
  for (size_t i = axis + 1; i < dims.size(); ++i)
    inner *= dims[i];
}
} // namespace

KernelPtr makeConcat(const KernelArgs &args) {
  const auto *p = args.op->params_as_ConcatParams();
  if (args.inputs.empty())
    args.fail("needs inputs");
  checkOperands(args, args.inputs.size(), args.inputs.size(), 1);
  const TensorRef &first = *args.inputs[0], &y = *args.outputs[0];
  int64_t axis = normalizeAxis(args, p->axis(), first.rank());
  std::vector<int64_t> out = first.dims;
  out[axis] = 0;
  for (const TensorRef *t : args.inputs) {
    checkType(args, *t, first.type, "input");
    checkRank(args, *t, first.rank(), "input");
    for (size_t d = 0; d < first.rank(); ++d)
      if (static_cast<int64_t>(d) != axis && t->dim(d) != first.dim(d))
        args.fail("inputs " + formatShape(first.dims) + " and " +
                  formatShape(t->dims) + " differ off the axis");
    out[axis] += t->dim(axis);
  }
  checkSameType(args, first, y);
  checkDims(args, y, out, "output");
  return makeKernel([axis](const KernelArgs &args) {
    const TensorRef &y = *args.outputs[0];
    int64_t outer, inner;
    splitAround(y.dims, axis, outer, inner);
    size_t es = elementSize(y.type);
    int64_t rowBytes = y.dim(axis) * inner * es;
    char *py = static_cast<char *>(y.data);
    int64_t offset = 0;
    for (const TensorRef *t : args.inputs) {
      int64_t chunk = t->dim(axis) * inner * es;
      const char *px = static_cast<const char *>(t->data);
      for (int64_t o = 0; o < outer && chunk; ++o)
        std::memcpy(py + o * rowBytes + offset, px + o * chunk, chunk);
      offset += chunk;
    }
  });
}

KernelPtr makeSplit(const KernelArgs &args) {
  const auto *p = args.op->params_as_SplitParams();
  if (args.outputs.empty())
    args.fail("needs outputs");
  checkOperands(args, 1, 2, args.outputs.size());
  const TensorRef &x = *args.inputs[0];
  int64_t axis = normalizeAxis(args, p->axis(), x.rank());
  int64_t total = 0;
  for (const TensorRef *t : args.outputs) {
    checkSameType(args, x, *t);
    checkRank(args, *t, x.rank(), "output");
    for (size_t d = 0; d < x.rank(); ++d)
      if (static_cast<int64_t>(d) != axis && t->dim(d) != x.dim(d))
        args.fail("output dims " + formatShape(t->dims) + " differ from input " +
                  formatShape(x.dims) + " off the axis");
    total += t->dim(axis);
  }
  if (total != x.dim(axis))
    args.fail("outputs' sizes along the axis add up to " + std::to_string(total) +
              ", input has " + std::to_string(x.dim(axis)));
  return makeKernel([axis](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0];
    int64_t outer, inner;
    splitAround(x.dims, axis, outer, inner);
    size_t es = elementSize(x.type);
    int64_t rowBytes = x.dim(axis) * inner * es;
    const char *px = static_cast<const char *>(x.data);
    int64_t offset = 0;
    for (const TensorRef *t : args.outputs) {
      int64_t chunk = t->dim(axis) * inner * es;
      char *py = static_cast<char *>(t->data);
      for (int64_t o = 0; o < outer && chunk; ++o)
        std::memcpy(py + o * chunk, px + o * rowBytes + offset, chunk);
      offset += chunk;
    }
  });
}

KernelPtr makeSlice(const KernelArgs &args) {
  const auto *p = args.op->params_as_SliceParams();
  // The starts/ends/axes/steps operands of ONNX's Slice may be kept.
  checkOperands(args, 1, 5, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkSameType(args, x, y);
  size_t rank = x.rank();
  if (!p->starts() || p->starts()->size() != rank)
    args.fail("starts need one value per dim");
  std::vector<int64_t> steps = paramArray(args, p->steps(), "steps");
  if (steps.empty())
    steps.assign(rank, 1);
  if (steps.size() != rank)
    args.fail("steps need one value per dim");
  checkRank(args, y, rank, "output");
  std::vector<int64_t> xs = stridesOf(x.dims), strides(rank);
  int64_t base = 0;
  for (size_t d = 0; d < rank; ++d) {
    int64_t dim = x.dim(d), step = steps[d];
    if (step == 0)
      args.fail("slice step 0");
    int64_t start = exprValue(args, p->starts()->Get(d));
    // Clamp as ONNX: negative counts from the end, then into [0, dim] for
    // positive steps and [0, dim - 1] for negative ones.
    if (start < 0)
      start += dim;
    int64_t most; // The most elements any end can give from this start.
    if (step > 0) {
      start = std::max<int64_t>(0, std::min(start, dim));
      most = (dim - start + step - 1) / step;
    } else {
      start = std::max<int64_t>(0, std::min(start, dim - 1));
      most = dim == 0 ? 0 : start / -step + 1;
    }
    if (y.dim(d) > most)
      args.fail("output dim " + std::to_string(d) + " is " + std::to_string(y.dim(d)) +
                ", the slice yields at most " + std::to_string(most));
    if (y.dim(d) > 0)
      base += start * xs[d];
    strides[d] = step * xs[d];
  }
  if (y.count() == 0)
    base = 0;
  return makeKernel([strides, base](const KernelArgs &args) {
    gather(*args.inputs[0], *args.outputs[0], strides, base);
  });
}

KernelPtr makeGather(const KernelArgs &args) {
  const auto *p = args.op->params_as_GatherParams();
  checkOperands(args, 2, 2, 1);
  const TensorRef &x = *args.inputs[0], &ind = *args.inputs[1], &y = *args.outputs[0];
  checkSameType(args, x, y);
  if (ind.type != ElementType::i32 && ind.type != ElementType::i64)
    args.fail(std::string("indices must be i32 or i64, not ") + elementTypeName(ind.type));
  int64_t axis = normalizeAxis(args, p->axis(), x.rank());
  std::vector<int64_t> out(x.dims.begin(), x.dims.begin() + axis);
  out.insert(out.end(), ind.dims.begin(), ind.dims.end());
  out.insert(out.end(), x.dims.begin() + axis + 1, x.dims.end());
  checkDims(args, y, out, "output");
  return makeKernel([axis](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &ind = *args.inputs[1], &y = *args.outputs[0];
    int64_t outer, inner;
    splitAround(x.dims, axis, outer, inner);
    int64_t len = x.dim(axis), count = ind.count();
    // Indices are data: check them all before writing anything.
    std::vector<int64_t> idx(count);
    for (int64_t i = 0; i < count; ++i) {
      int64_t v = ind.type == ElementType::i32 ? ind.as<int32_t>()[i] : ind.as<int64_t>()[i];
      if (v < -len || v >= len)
        args.fail("index " + std::to_string(v) + " out of range for a dim of " +
                  std::to_string(len));
      idx[i] = v < 0 ? v + len : v;
    }
    size_t es = elementSize(x.type);
    int64_t chunk = inner * es;
    const char *px = static_cast<const char *>(x.data);
    char *py = static_cast<char *>(y.data);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < count; ++i)
        std::memcpy(py + (o * count + i) * chunk, px + (o * len + idx[i]) * chunk, chunk);
  });
}

KernelPtr makeExpand(const KernelArgs &args) {
  // ONNX's shape operand may be kept; the output's dims say it all.
  checkOperands(args, 1, 2, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkSameType(args, x, y);
  if (!broadcastsTo(x.dims, y.dims))
    args.fail("input dims " + formatShape(x.dims) + " do not broadcast to " +
              formatShape(y.dims));
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    gather(x, y, broadcastStrides(x.dims, y.dims));
  });
}

KernelPtr makeScatterND(const KernelArgs &args) {
  checkOperands(args, 3, 3, 1);
  const TensorRef &data = *args.inputs[0], &indices = *args.inputs[1],
                  &updates = *args.inputs[2], &y = *args.outputs[0];
  checkSameType(args, data, y);
  checkSameType(args, data, updates);
  checkType(args, indices, ElementType::i64, "indices");
  checkDims(args, y, data.dims, "output");
  if (indices.rank() == 0 || indices.dims.back() > int64_t(data.rank()))
    args.fail("indices " + formatShape(indices.dims) + " do not index data " +
              formatShape(data.dims));
  size_t k = indices.dims.back();
  std::vector<int64_t> expected(indices.dims.begin(), indices.dims.end() - 1);
  expected.insert(expected.end(), data.dims.begin() + k, data.dims.end());
  checkDims(args, updates, expected, "updates");
  return makeKernel([](const KernelArgs &args) {
    const TensorRef &data = *args.inputs[0], &indices = *args.inputs[1],
                    &updates = *args.inputs[2], &y = *args.outputs[0];
    size_t k = indices.dims.back(), bytes = elementSize(y.type);
    int64_t slice = 1;
    for (size_t i = k; i < data.rank(); ++i)
      slice *= data.dim(i);
    if (y.data != data.data)
      std::memmove(y.data, data.data, y.bytes());
    const int64_t *index = indices.as<int64_t>();
    // One slice per index tuple (k = 0: the whole tensor, once per tuple).
    int64_t count = 1;
    for (size_t i = 0; i + 1 < indices.rank(); ++i)
      count *= indices.dim(i);
    const char *from = static_cast<const char *>(updates.data);
    char *to = static_cast<char *>(y.data);
    for (int64_t n = 0; n < count; ++n) {
      int64_t offset = 0;
      for (size_t i = 0; i < k; ++i) {
        int64_t v = index[n * k + i], size = data.dim(i);
        if (v < -size || v >= size)
          args.fail("index " + std::to_string(v) + " is out of range for dim " +
                    std::to_string(i) + " of size " + std::to_string(size));
        offset = offset * size + (v < 0 ? v + size : v);
      }
      std::memcpy(to + offset * slice * bytes, from + n * slice * bytes, slice * bytes);
    }
  });
}

} // namespace mlc::rt::ref
