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
#include <omp.h>
#include <optional>

namespace mlc::rt::onednn {

namespace {
/// A concatenation's operands as rows in memory order: `rows` output rows
/// (the dims before `axis`), each the inputs' runs of `runs[i]` elements
/// one after another; `inner` elements per index along the axis.
struct ConcatRows {
  int64_t axis = 0, rows = 0, inner = 1;
  std::vector<int64_t> runs;
  /// Whether every operand has the output's layout (else the rows do not
  /// hold).
  bool sameLayout = true;
};

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
      forRanges(team, batch * positions, [&](int, int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
          const float *row = x + r * inChannels;
          if (interleaved)
            interleaveRow(row + from[0], row + from[1], y + r * out, out / 2);
          else
            gatherRow(row, from, y + r * out, out);
        }
      });
      return;
    }
    forRanges(team, batch * out, [&](int, int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        int64_t n = i / out, c = i % out;
        std::memcpy(y + i * positions,
                    x + (n * inChannels + from[c]) * positions,
                    positions * sizeof(float));
      }
    });
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

// Runs [begin, end) of the concatenation of `inputs`, in output order (row
// r's run of input i is number r * inputs + i; input i's runs take runs[i]
// elements, at offsets[i] in an output row of `rowLength`): copied, or with
// `scale`, normalized: y = x * scale[c] + shift[c] for channel c (`inner`
// values per channel in a run), then max(y, 0) with `relu` (NaN stays NaN,
// as ONNX's Relu).
__attribute__((target_clones("avx512f", "avx2", "default"))) void
concatRuns(float *y, const std::vector<TensorRef *> &inputs,
           const int64_t *runs, const int64_t *offsets, int64_t rowLength,
           int64_t begin, int64_t end, const float *scale, const float *shift,
           int64_t inner, bool relu) {
  int64_t parts = inputs.size();
  for (int64_t r = begin / parts, i = begin % parts, n = begin; n < end; ++n) {
    float *to = y + r * rowLength + offsets[i];
    const float *from = inputs[i]->as<const float>() + r * runs[i];
    if (!scale) {
      std::memcpy(to, from, runs[i] * sizeof(float));
    } else if (inner == 1) {
      // Channels-last: a run is channels, one vector loop.
      const float *a = scale + offsets[i], *b = shift + offsets[i];
      for (int64_t c = 0; c < runs[i]; ++c) {
        float v = from[c] * a[c] + b[c];
        to[c] = relu && v < 0.0f ? 0.0f : v;
      }
    } else {
      const float *a = scale + offsets[i] / inner,
                  *b = shift + offsets[i] / inner;
      for (int64_t c = 0; c < runs[i] / inner; ++c)
        for (int64_t e = 0; e < inner; ++e) {
          float v = from[c * inner + e] * a[c] + b[c];
          to[c * inner + e] = relu && v < 0.0f ? 0.0f : v;
        }
    }
    if (++i == parts)
      i = 0, ++r;
  }
}

// A concatenation in the operands' memory order: each output row (the dims
// before the axis, in memory order) is the inputs' rows one after another.
// Channels-last along C (SqueezeNet's fire modules, DenseNet's blocks,
// ShuffleNet's units): a row per position, each input's channels a run.
// With a normalization (DenseNet's batch norm and ReLU of each
// concatenation), each value is normalized as it is copied: the
// concatenation is never written to memory and read back.
class ConcatRowsKernel : public Kernel {
public:
  ConcatRowsKernel(const KernelArgs &args, ConcatRows layout)
      : rows(layout.rows), runs(std::move(layout.runs)), inner(layout.inner),
        threads(std::max(args.threads, 1)) {
    for (int64_t run : runs) {
      offsets.push_back(rowLength);
      rowLength += run;
    }
  }
  /// Normalizes each value of channel c: x * scale[c] + shift[c], then
  /// ReLU with `relu`.
  void normalize(std::vector<float> channelScale,
                 std::vector<float> channelShift, bool withRelu) {
    scale = std::move(channelScale);
    shift = std::move(channelShift);
    relu = withRelu;
  }

  void run(const KernelArgs &args) override {
    float *y = args.outputs[0]->as<float>();
    // Threads only where there is enough to share (about 32K elements),
    // each a range of runs in output order.
    int team = rows * rowLength >= (int64_t(1) << 15) ? threads : 1;
    int64_t total = rows * static_cast<int64_t>(runs.size());
    forRanges(team, total, [&](int, int64_t begin, int64_t end) {
      concatRuns(y, args.inputs, runs.data(), offsets.data(), rowLength,
                 begin, end, scale.empty() ? nullptr : scale.data(),
                 shift.data(), inner, relu);
    });
  }
  std::string implementation() const override {
    return scale.empty() ? "mlc:concat_rows" : "mlc:concat_rows + batch_norm";
  }
  bool rebinds() const override { return true; }

private:
  int64_t rows;
  /// Each input's elements in a row, and where they start in the output's.
  std::vector<int64_t> runs, offsets;
  /// Elements per index along the axis (per channel: 1 for channels-last,
  /// the spatial size for plain).
  int64_t inner;
  int64_t rowLength = 0;
  int threads;
  /// The normalization, if any: per channel of the output.
  std::vector<float> scale, shift;
  bool relu = false;
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

static std::optional<ConcatRows> concatRows(const KernelArgs &args) {
  const format::ConcatParams *p = args.op->params_as_ConcatParams();
  if (!p || args.inputs.empty() || args.outputs.size() != 1 ||
      !args.outputs[0])
    return std::nullopt;
  const TensorRef *y = args.outputs[0];
  if (!isF32(y, 1))
    return std::nullopt;
  int64_t rank = static_cast<int64_t>(y->rank()), axis = p->axis();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return std::nullopt;
  ConcatRows result;
  result.axis = axis;
  int64_t total = 0;
  for (const TensorRef *x : args.inputs) {
    if (!isF32(x) || static_cast<int64_t>(x->rank()) != rank)
      return std::nullopt;
    result.sameLayout &= x->layout == y->layout;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && x->dim(i) != y->dim(i))
        return std::nullopt;
    // Reading an input the output overwrites.
    if (x->data == y->data)
      return std::nullopt;
    total += x->dim(axis);
  }
  if (total != y->dim(axis))
    return std::nullopt;
  // Rows in memory order (for operands in one layout).
  result.inner = layoutStrides(y->dims, y->layout)[axis];
  result.rows = y->count() / (y->dim(axis) * result.inner);
  for (const TensorRef *x : args.inputs)
    result.runs.push_back(x->count() / result.rows);
  return result;
}

KernelPtr makeConcat(const KernelArgs &args) {
  std::optional<ConcatRows> rows = concatRows(args);
  if (!rows)
    return nullptr;
  if (rows->sameLayout) {
    // mlc's copy loop: oneDNN's concat (its `simple` implementation) took
    // 1.5-2x its time on channels-last operands.
    return std::make_unique<ConcatRowsKernel>(args, std::move(*rows));
  }
  const TensorRef *y = args.outputs[0];
  std::vector<dnnl::memory::desc> descs;
  for (const TensorRef *x : args.inputs)
    descs.push_back(descOf(*x));
  dnnl::concat::primitive_desc pd(descOf(*y), static_cast<int>(rows->axis),
                                  descs, engine(), makeAttr(args));
  std::vector<std::pair<int, dnnl::memory>> arguments;
  for (size_t i = 0; i < args.inputs.size(); ++i)
    arguments.push_back({DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i),
                         userMemory(*args.inputs[i])});
  arguments.push_back({DNNL_ARG_DST, userMemory(*y)});
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::concat(pd), arguments);
  return k;
}

KernelPtr makeConcatNorm(const KernelArgs &concat, const KernelArgs &norm) {
  std::optional<ConcatRows> rows = concatRows(concat);
  const format::BatchNormParams *p =
      norm.op ? norm.op->params_as_BatchNormParams() : nullptr;
  // Along the channels, in one layout, into the norm's input alone.
  if (!rows || !rows->sameLayout || rows->axis != 1 || !p ||
      !hasOperands(norm, 5, 5) || norm.inputs[0] != concat.outputs[0])
    return nullptr;
  const TensorRef *x = norm.inputs[0], *y = norm.outputs[0];
  if (!isF32(y) || y->dims != x->dims || y->layout != x->layout)
    return nullptr;
  // Normalized values go out while the inputs are still read.
  for (const TensorRef *input : concat.inputs)
    if (overlaps(*input, *y))
      return nullptr;
  int64_t channels = x->dim(1);
  for (size_t i = 1; i < 5; ++i)
    if (!isF32(norm.inputs[i], 1, 1) || norm.inputs[i]->dim(0) != channels ||
        !norm.inputs[i]->constant)
      return nullptr;
  const format::Activation *act = p->activation();
  bool relu = act && act->kind() == format::ActivationKind::relu;
  if (act && !relu && act->kind() != format::ActivationKind::none)
    return nullptr;
  float epsilon = p->epsilon();
  if (!(epsilon >= 0) || !std::isfinite(epsilon))
    return nullptr;
  // The reference kernel's arithmetic: x * a + b, a = scale / sqrt(var +
  // epsilon), b = bias - mean * a.
  const float *gamma = norm.inputs[1]->as<const float>(),
              *beta = norm.inputs[2]->as<const float>(),
              *mean = norm.inputs[3]->as<const float>(),
              *var = norm.inputs[4]->as<const float>();
  std::vector<float> scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; ++c) {
    scale[c] = gamma[c] / std::sqrt(var[c] + epsilon);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  auto kernel = std::make_unique<ConcatRowsKernel>(
      concatNormArgs(concat, norm), std::move(*rows));
  kernel->normalize(std::move(scale), std::move(shift), relu);
  return kernel;
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
