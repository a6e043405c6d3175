//===- Data.cpp - Concat, Resize, Transpose, Reduce and channel Gather ----===//
//
// Resize runs on oneDNN's resampling only where its coordinates are ONNX's:
//  - nearest, spatial output sizes integer multiples k of the input's, with
//    asymmetric + floor (x = o / k: floor gives o / k) or half_pixel /
//    pytorch_half_pixel + round_prefer_floor / round_prefer_ceil
//    (x = (o + 0.5) / k - 0.5 lies strictly within 0.5 of o / k: no ties);
//    oneDNN maps o to o / k for an integer factor.
//  - linear with half_pixel (x = (o + 0.5) * I / O - 0.5, clamped to the
//    edges, both), or pytorch_half_pixel where the output size exceeds 1.
// Given scales must be the sizes' ratios (ONNX's coordinates use them),
// batch and channels unscaled. Everything else is the reference kernel's.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <cmath>
#include <cstring>

namespace mlc::rt::onednn {

namespace {
// One position's channels (channels-last), any order.
void gatherRow(const float *row, const int64_t *from, float *to, int64_t n) {
  for (int64_t c = 0; c < n; ++c)
    to[c] = row[from[c]];
}

// Two runs of channels interleaved, to[2i + j] = run j's i-th (a channel
// shuffle of two groups, and its halves): vector loads and permutes in the
// machine's widest vectors (target_clones picks the copy at load), where
// gathering channel by channel takes about a cycle each.
__attribute__((target_clones("avx512f", "avx2", "default"))) void
interleaveRow(const float *first, const float *second, float *to,
              int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    to[2 * i] = first[i];
    to[2 * i + 1] = second[i];
  }
}

// Whether `channels` are two runs interleaved: channels[2i + j] =
// channels[j] + i.
bool interleavesTwoRuns(const std::vector<int64_t> &channels) {
  if (channels.size() < 2 || channels.size() % 2)
    return false;
  for (size_t c = 0; c < channels.size(); ++c)
    if (channels[c] != channels[c % 2] + int64_t(c / 2))
      return false;
  return true;
}

// Picks each position's channels from its input's, in the layout both
// operands have: rows of channels (channels-last) or whole planes (plain).
class ChannelGatherKernel : public Kernel {
public:
  ChannelGatherKernel(const KernelArgs &args, std::vector<int64_t> channels)
      : channels(std::move(channels)),
        interleaved(interleavesTwoRuns(this->channels)),
        batch(args.inputs[0]->dim(0)),
        inChannels(args.inputs[0]->dim(1)),
        positions(args.inputs[0]->count() / (batch * inChannels)),
        channelsLast(args.inputs[0]->layout == Layout::channelsLast),
        threads(std::max(args.threads, 1)) {}

  void run(const KernelArgs &args) override {
    const float *x = args.inputs[0]->as<float>();
    float *y = args.outputs[0]->as<float>();
    int64_t out = channels.size();
    const int64_t *from = channels.data();
    // Threads only where there is enough to share (about 32K elements).
    int team = batch * positions * out >= (int64_t(1) << 15) ? threads : 1;
    if (channelsLast) {
#pragma omp parallel for num_threads(team) schedule(static)
      for (int64_t r = 0; r < batch * positions; ++r) {
        const float *row = x + r * inChannels;
        if (interleaved)
          interleaveRow(row + from[0], row + from[1], y + r * out, out / 2);
        else
          gatherRow(row, from, y + r * out, out);
      }
      return;
    }
#pragma omp parallel for num_threads(team) schedule(static)
    for (int64_t i = 0; i < batch * out; ++i) {
      int64_t n = i / out, c = i % out;
      std::memcpy(y + i * positions,
                  x + (n * inChannels + from[c]) * positions,
                  positions * sizeof(float));
    }
  }
  std::string implementation() const override { return "mlc:gather_channels"; }
  bool rebinds() const override { return true; }

private:
  std::vector<int64_t> channels;
  bool interleaved;
  int64_t batch, inChannels, positions;
  bool channelsLast;
  int threads;
};

// A concatenation in the operands' memory order: each output row (the dims
// before the axis, in memory order) is the inputs' rows one after another.
// Channels-last along C (SqueezeNet's fire modules, DenseNet's blocks,
// ShuffleNet's units): a row per position, each input's channels a run.
class ConcatRowsKernel : public Kernel {
public:
  ConcatRowsKernel(const KernelArgs &args, int64_t rows,
                   std::vector<int64_t> runs)
      : rows(rows), runs(std::move(runs)),
        threads(std::max(args.threads, 1)) {
    for (int64_t run : this->runs) {
      offsets.push_back(rowLength);
      rowLength += run;
    }
  }

  void run(const KernelArgs &args) override {
    float *y = args.outputs[0]->as<float>();
    int64_t parts = runs.size();
    // Threads only where there is enough to share (about 32K elements).
    int team = rows * rowLength >= (int64_t(1) << 15) ? threads : 1;
#pragma omp parallel for num_threads(team) schedule(static)
    for (int64_t item = 0; item < rows * parts; ++item) {
      int64_t r = item / parts, i = item % parts;
      std::memcpy(y + r * rowLength + offsets[i],
                  args.inputs[i]->as<const float>() + r * runs[i],
                  runs[i] * sizeof(float));
    }
  }
  std::string implementation() const override { return "mlc:concat_rows"; }
  bool rebinds() const override { return true; }

private:
  int64_t rows;
  /// Each input's elements in a row, and where they start in the output's.
  std::vector<int64_t> runs, offsets;
  int64_t rowLength = 0;
  int threads;
};
} // namespace

// A Gather of channels (axis 1) by constant indices: a channel shuffle and
// the Slices of its channels, as the compiler writes them (shufflenet_v2's).
// In the channels-last layout of the convolutions around it, where the
// reference kernel would need the tensor converted to NCHW and back.
KernelPtr makeGather(const KernelArgs &args) {
  const format::GatherParams *p = args.op->params_as_GatherParams();
  if (!p || !hasOperands(args, 2, 2))
    return nullptr;
  const TensorRef *x = args.inputs[0], *indices = args.inputs[1],
                  *y = args.outputs[0];
  if (!isF32(x, 3) || !isF32(y, 3) || x->rank() != y->rank() ||
      x->layout != y->layout || x->data == y->data || !indices->constant ||
      indices->type != ElementType::i64 || indices->rank() != 1 ||
      indices->dim(0) != y->dim(1))
    return nullptr;
  int64_t rank = x->rank();
  if ((p->axis() < 0 ? p->axis() + rank : p->axis()) != 1)
    return nullptr;
  for (int64_t d = 0; d < rank; ++d)
    if (d != 1 && x->dim(d) != y->dim(d))
      return nullptr;
  std::vector<int64_t> channels(indices->as<const int64_t>(),
                                indices->as<const int64_t>() + indices->dim(0));
  for (int64_t &c : channels) {
    if (c < -x->dim(1) || c >= x->dim(1))
      return nullptr;
    if (c < 0)
      c += x->dim(1);
  }
  return std::make_unique<ChannelGatherKernel>(args, std::move(channels));
}

// A reorder from the input seen through the permuted strides: oneDNN's JIT
// reorders copy it several times faster than the reference kernel's
// element-by-element gather (ConvNeXt permutes each block's activations to
// channels-last rows and back).
KernelPtr makeTranspose(const KernelArgs &args) {
  const format::TransposeParams *p = args.op->params_as_TransposeParams();
  if (!p || !hasOperands(args, 1, 1))
    return nullptr;
  const TensorRef *x = args.inputs[0], *y = args.outputs[0];
  if (!isF32(x, 1) || !isF32(y, 1) || x->rank() != y->rank() ||
      x->data == y->data)
    return nullptr;
  size_t rank = x->rank();
  std::vector<int64_t> perm = toVector(p->perm());
  if (perm.empty())
    for (size_t i = rank; i-- > 0;)
      perm.push_back(static_cast<int64_t>(i));
  if (perm.size() != rank)
    return nullptr;
  std::vector<bool> seen(rank, false);
  dims xStrides = layoutStrides(x->dims, x->layout), viewStrides(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t from = perm[i];
    if (from < 0 || from >= static_cast<int64_t>(rank) || seen[from] ||
        y->dim(i) != x->dim(from))
      return nullptr;
    seen[from] = true;
    viewStrides[i] = xStrides[from];
  }
  dnnl::memory::desc view(y->dims, dnnl::memory::data_type::f32, viewStrides);
  dnnl::reorder::primitive_desc pd(engine(), view, engine(), descOf(*y),
                                   makeAttr(args));
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::reorder(pd),
         {{DNNL_ARG_FROM, dnnl::memory(view, engine(), x->data)},
          {DNNL_ARG_TO, userMemory(*y)}});
  return k;
}

// ReduceMean and ReduceSum (LayerNorm's mean and variance as exported):
// oneDNN's reduction. Max, min and prod stay with the reference kernel,
// which propagates NaN as ONNX does.
KernelPtr makeReduce(const KernelArgs &args) {
  const format::ReduceParams *p = args.op->params_as_ReduceParams();
  if (!p || !hasOperands(args, 1, 1))
    return nullptr;
  const TensorRef *x = args.inputs[0], *y = args.outputs[0];
  if (!isF32(x, 1) || !isF32(y) || x->layout != Layout::plain ||
      y->layout != Layout::plain)
    return nullptr;
  dnnl::algorithm kind;
  if (p->kind() == format::ReduceKind::mean)
    kind = dnnl::algorithm::reduction_mean;
  else if (p->kind() == format::ReduceKind::sum)
    kind = dnnl::algorithm::reduction_sum;
  else
    return nullptr;
  dims kept = x->dims;
  int64_t last = -1;
  if (!p->axes() || p->axes()->size() == 0)
    return nullptr;
  for (int32_t axis : *p->axes()) {
    if (axis <= last || axis >= static_cast<int64_t>(x->rank()))
      return nullptr;
    kept[axis] = 1;
    last = axis;
  }
  // The output is `kept` with the reduced dims left out or not: the same
  // elements, which the reduction writes as `kept`.
  int64_t keptCount = 1;
  for (int64_t d : kept)
    keptCount *= d;
  if (keptCount != y->count())
    return nullptr;
  dnnl::reduction::desc desc(kind, descOf(*x), plainDesc(kept), 0.0f, 0.0f);
  dnnl::reduction::primitive_desc pd(desc, makeAttr(args), engine());
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::reduction(pd),
         {{DNNL_ARG_SRC, userMemory(*x)}, {DNNL_ARG_DST, userMemory(*y, kept)}});
  return k;
}

KernelPtr makeConcat(const KernelArgs &args) {
  const format::ConcatParams *p = args.op->params_as_ConcatParams();
  if (!p || args.inputs.empty() || args.outputs.size() != 1 ||
      !args.outputs[0])
    return nullptr;
  const TensorRef *y = args.outputs[0];
  if (!isF32(y, 1))
    return nullptr;
  int64_t rank = static_cast<int64_t>(y->rank()), axis = p->axis();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return nullptr;
  std::vector<dnnl::memory::desc> descs;
  int64_t total = 0;
  bool sameLayout = true;
  for (const TensorRef *x : args.inputs) {
    if (!isF32(x) || static_cast<int64_t>(x->rank()) != rank)
      return nullptr;
    sameLayout &= x->layout == y->layout;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && x->dim(i) != y->dim(i))
        return nullptr;
    // Reading an input the output overwrites.
    if (x->data == y->data)
      return nullptr;
    total += x->dim(axis);
    descs.push_back(descOf(*x));
  }
  if (total != y->dim(axis))
    return nullptr;
  if (sameLayout) {
    // Rows in memory order: mlc's copy loop; oneDNN's concat (its `simple`
    // implementation) took 1.5-2x its time on channels-last operands.
    int64_t rows = y->count() / (y->dim(axis) *
                                 layoutStrides(y->dims, y->layout)[axis]);
    std::vector<int64_t> runs;
    for (const TensorRef *x : args.inputs)
      runs.push_back(x->count() / rows);
    return std::make_unique<ConcatRowsKernel>(args, rows, std::move(runs));
  }
  dnnl::concat::primitive_desc pd(descOf(*y), static_cast<int>(axis), descs,
                                  engine(), makeAttr(args));
  std::vector<std::pair<int, dnnl::memory>> arguments;
  for (size_t i = 0; i < args.inputs.size(); ++i)
    arguments.push_back({DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i),
                         userMemory(*args.inputs[i])});
  arguments.push_back({DNNL_ARG_DST, userMemory(*y)});
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::concat(pd), arguments);
  return k;
}

KernelPtr makeResize(const KernelArgs &args) {
  const format::ResizeParams *p = args.op->params_as_ResizeParams();
  if (!p || args.inputs.empty() || !args.inputs[0] ||
      args.outputs.size() != 1 || !args.outputs[0])
    return nullptr;
  const TensorRef *x = args.inputs[0], *y = args.outputs[0];
  if (!isF32(x, 3, 5) || !isF32(y, 3, 5) || y->rank() != x->rank() ||
      y->dim(0) != x->dim(0) || y->dim(1) != x->dim(1) || x->data == y->data)
    return nullptr;
  size_t rank = x->rank();
  std::vector<float> scales;
  if (p->scales())
    scales.assign(p->scales()->begin(), p->scales()->end());
  if (!scales.empty() &&
      (scales.size() != rank || scales[0] != 1 || scales[1] != 1))
    return nullptr;
  using CT = format::CoordinateTransform;
  CT ct = p->coordinate_transform();
  dnnl::algorithm alg;
  if (p->mode() == format::ResizeMode::nearest) {
    format::NearestMode nm = p->nearest_mode();
    bool asymmetricFloor =
        ct == CT::asymmetric && nm == format::NearestMode::floor;
    bool halfPixelRound =
        (ct == CT::half_pixel || ct == CT::pytorch_half_pixel) &&
        (nm == format::NearestMode::round_prefer_floor ||
         nm == format::NearestMode::round_prefer_ceil);
    if (!asymmetricFloor && !halfPixelRound)
      return nullptr;
    for (size_t i = 2; i < rank; ++i) {
      int64_t in = x->dim(i), out = y->dim(i);
      if (out % in)
        return nullptr;
      if (!scales.empty() && scales[i] != static_cast<float>(out / in))
        return nullptr;
    }
    alg = dnnl::algorithm::resampling_nearest;
  } else if (p->mode() == format::ResizeMode::linear) {
    if (ct != CT::half_pixel && ct != CT::pytorch_half_pixel)
      return nullptr;
    for (size_t i = 2; i < rank; ++i) {
      int64_t in = x->dim(i), out = y->dim(i);
      if (ct == CT::pytorch_half_pixel && out == 1)
        return nullptr;
      if (!scales.empty()) {
        // ONNX divides by the given scale, oneDNN by out / in: they must
        // agree to float rounding.
        double ratio = static_cast<double>(out) / static_cast<double>(in);
        if (!(std::fabs(scales[i] - ratio) <= 1e-6 * ratio))
          return nullptr;
      }
    }
    alg = dnnl::algorithm::resampling_linear;
  } else {
    return nullptr;
  }
  dnnl::resampling_forward::desc desc(dnnl::prop_kind::forward_inference, alg,
                                      descOf(*x), descOf(*y));
  dnnl::resampling_forward::primitive_desc pd(desc, makeAttr(args), engine());
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::resampling_forward(pd),
         {{DNNL_ARG_SRC, userMemory(*x)}, {DNNL_ARG_DST, userMemory(*y)}});
  return k;
}

} // namespace mlc::rt::onednn
