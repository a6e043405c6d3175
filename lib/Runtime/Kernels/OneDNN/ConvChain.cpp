//===- ConvChain.cpp - Convolutions run together on bands of rows ---------===//
//
// A chain of 2-D convolutions, each reading only the one before it (the
// inverted residual blocks of mobilenet_v2: a 1x1 expansion, a 3x3
// depthwise, a 1x1 projection), run on bands of the last one's output rows.
// Each stage computes only the rows the next needs, into a buffer sized to
// stay in a core's cache, so the wide tensors between them are never
// written to memory and read back. A stage's rows are kept from one band to
// the next (a 3x3 window overlaps the band before), so a thread computes
// each row once. The threads take parts of the rows (or whole images of a
// batch), each with its own buffers and scratchpad, and run oneDNN
// primitives made for one thread and for each band shape they meet: the
// same convolution code as the chain run op by op, by the implementation
// tuning chose for each op (KernelArgs::variant: jit_dw for most of
// mobilenet_v2's depthwise convolutions). Where the memory plan put
// the output over the input (an inverted residual block's sum in place: the
// input is the residual, which dies there), the first stage reads a copy of
// the input, since the bands write the output's first rows while others
// still read the input's.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <cstring>
#include <map>
#include <omp.h>
#include <tuple>

namespace mlc::rt::onednn {
namespace {

class ConvChainKernel : public Kernel {
public:
  explicit ConvChainKernel(const std::vector<KernelArgs> &args);
  /// Lays out the bands, as many rows as keep a thread's intermediate rows
  /// within `bandBytes`, and makes the primitives; false when oneDNN cannot
  /// run a band (a dnnl::error is also a refusal).
  bool make(const std::vector<KernelArgs> &args, size_t bandBytes);
  void run(const KernelArgs &args) override;
  std::string implementation() const override { return name; }
  bool rebinds() const override { return true; }

private:
  /// A band's shape at one stage: its input and output rows, and the
  /// padding rows above and below it (non-zero at the image's edges only).
  using BandShape = std::tuple<int64_t, int64_t, int64_t, int64_t>;
  struct Variant {
    dnnl::primitive primitive;
    /// Per thread, memories over its source and destination rows.
    std::vector<dnnl::memory> src, dst;
  };
  struct Stage {
    ConvSpec spec;
    int64_t inChannels, outChannels, inRows, inWidth, outRows, outWidth;
    int64_t kernelRows, stride, dilation, padTop;
    /// The op's tuned variant: kConvDefault (oneDNN's first choice),
    /// kConvNextImplementation or kConvAVX2 (takeVariantImplementation).
    int variant = kConvDefault;
    /// oneDNN's name of the implementation its first band runs.
    std::string implementation;
    dnnl::memory weights, bias;
    std::shared_ptr<void> weightsOwner;
    dnnl::memory::desc weightsDesc;
    std::map<BandShape, Variant> variants;
    size_t inRowFloats() const { return inWidth * inChannels; }
    size_t outRowFloats() const { return outWidth * outChannels; }
  };
  /// The rows [lo, hi) of a stage's output a thread holds, from `data`.
  struct Rows {
    int64_t lo = 0, hi = 0, capacity = 0;
    AlignedBuffer data;
    float *floats() const { return static_cast<float *>(data.get()); }
  };
  struct Thread {
    std::vector<Rows> rows;
    AlignedBuffer scratchpadData;
    dnnl::memory scratchpad;
  };

  /// Runs (or, dry, lays out) the chain on one image's output rows
  /// [begin, end), as thread `t`.
  void runPart(int t, const float *x, const float *residual, float *y,
               int64_t begin, int64_t end, bool dry);
  /// Makes stage `j`'s rows [lo, hi) present in thread t's buffer.
  void produce(int t, size_t j, int64_t lo, int64_t hi, const float *x,
               bool dry);
  /// Runs stage `j` for its output rows [lo, hi) into `dst`.
  void runStage(int t, size_t j, int64_t lo, int64_t hi, const float *x,
                float *dst, bool dry);
  Variant &variant(size_t j, const BandShape &shape);

  std::vector<Stage> stages;
  std::vector<Thread> threadState;
  int threads;
  State *state;
  /// Rows of the last stage per band, and parts each image's rows are
  /// split into (for threads with fewer images than threads).
  int64_t bandRows = 1, parts = 1, images = 1;
  size_t scratchpadBytes = 0;
  /// Without a session, where the input is copied when the output
  /// overlaps it (with one, the session's staging slot 0).
  AlignedBuffer ownInputCopy;
  std::string name;
};

ConvChainKernel::ConvChainKernel(const std::vector<KernelArgs> &args)
    : threads(std::max(args.front().threads, 1)),
      state(static_cast<State *>(args.front().backend)) {}

bool ConvChainKernel::make(const std::vector<KernelArgs> &args,
                           size_t bandBytes) {
  for (size_t j = 0; j < args.size(); ++j) {
    Stage stage;
    ConvSpec &spec = stage.spec;
    if (!args[j].op || args[j].op->params_type() != format::OpParams::ConvParams ||
        !readConv(args[j], spec))
      return false;
    const TensorRef &x = *spec.x, &y = *spec.y;
    // Channels-last images, so that a band of rows is one run of memory;
    // only the last stage adds a residual.
    if (x.rank() != 4 || x.layout != Layout::channelsLast ||
        y.layout != Layout::channelsLast ||
        (spec.r && (j + 1 != args.size() ||
                    spec.r->layout != Layout::channelsLast)))
      return false;
    if (j > 0 && (spec.x->dims != stages.back().spec.y->dims))
      return false;
    stage.inChannels = x.dim(1);
    stage.inRows = x.dim(2);
    stage.inWidth = x.dim(3);
    stage.outChannels = y.dim(1);
    stage.outRows = y.dim(2);
    stage.outWidth = y.dim(3);
    stage.kernelRows = spec.kernel[0];
    stage.stride = spec.win.strides[0];
    stage.dilation = spec.win.dilations[0];
    stage.padTop = spec.win.padsBegin[0];
    stage.variant = args[j].variant;
    stages.push_back(std::move(stage));
  }
  images = stages.front().spec.x->dim(0);
  // Whole images per thread when there are enough; else each image's rows
  // in as many parts as threads.
  parts = images >= threads ? 1 : (threads + images - 1) / images;
  int64_t outRows = stages.back().outRows;
  parts = std::min(parts, outRows);

  // The largest band whose intermediate rows fit bandBytes (one row at
  // least): rows needed at each stage, from the last back.
  auto bytesOfBand = [&](int64_t rows) {
    size_t bytes = 0;
    for (size_t j = stages.size() - 1; j > 0; --j) {
      const Stage &s = stages[j];
      rows = std::min((rows - 1) * s.stride +
                          (s.kernelRows - 1) * s.dilation + 1,
                      s.inRows);
      bytes += rows * stages[j - 1].outRowFloats() * sizeof(float);
    }
    return bytes;
  };
  int64_t partRows = (outRows + parts - 1) / parts;
  while (bandRows < partRows && bytesOfBand(bandRows + 1) <= bandBytes)
    ++bandRows;

  threadState.resize(threads);
  for (Thread &thread : threadState)
    thread.rows.resize(stages.size());
  try {
    // Made for one thread: each runs inside the chain's own parallel region.
    OmpThreads oneThread(1);
    // A dry run of every thread's parts makes each band shape's primitive
    // and sizes the buffers.
    for (int64_t unit = 0; unit < images * parts; ++unit)
      runPart(0, nullptr, nullptr, nullptr, (unit % parts) * outRows / parts,
              (unit % parts + 1) * outRows / parts, true);
  } catch (const dnnl::error &) {
    return false;
  }
  for (Thread &thread : threadState) {
    for (size_t j = 0; j + 1 < stages.size(); ++j) {
      Rows &rows = thread.rows[j];
      rows.capacity = threadState[0].rows[j].capacity;
      rows.data = allocateZeroed(
          rows.capacity * stages[j].outRowFloats() * sizeof(float),
          "a convolution chain's bands");
    }
    thread.scratchpadData =
        allocateZeroed(scratchpadBytes, "a convolution chain's scratchpad");
    thread.scratchpad = dnnl::memory(
        dnnl::memory::desc({static_cast<int64_t>(scratchpadBytes)},
                           dnnl::memory::data_type::u8,
                           dnnl::memory::format_tag::a),
        engine(), thread.scratchpadData.get());
  }
  size_t inputBytes = stages.front().spec.x->bytes();
  if (state)
    state->bookStaging(0, inputBytes);
  else
    ownInputCopy = allocateZeroed(inputBytes, "a convolution chain's input");
  // Each stage's implementation, for profiles: "brgconv_1x1:avx512_core"
  // gives "brgconv_1x1".
  name = "chain of " + std::to_string(stages.size()) + " convs on " +
         std::to_string(bandRows) + "-row bands:";
  for (const Stage &stage : stages)
    name += (&stage == &stages.front() ? " " : ", ") +
            stage.implementation.substr(0, stage.implementation.find(':'));
  return true;
}

ConvChainKernel::Variant &ConvChainKernel::variant(size_t j,
                                                   const BandShape &shape) {
  Stage &stage = stages[j];
  auto found = stage.variants.find(shape);
  if (found != stage.variants.end())
    return found->second;
  auto [srcRows, dstRows, padTop, padBottom] = shape;
  const ConvSpec &spec = stage.spec;
  using dt = dnnl::memory::data_type;
  dnnl::memory::desc src = layoutDesc(
      {1, stage.inChannels, srcRows, stage.inWidth}, Layout::channelsLast);
  dnnl::memory::desc dst = layoutDesc(
      {1, stage.outChannels, dstRows, stage.outWidth}, Layout::channelsLast);
  dnnl::memory::desc weightsAny(spec.wDims, dt::f32,
                                dnnl::memory::format_tag::any);
  dnnl::memory::desc biasDesc =
      spec.b ? plainDesc({stage.outChannels}) : dnnl::memory::desc();
  dnnl::primitive_attr attr;
  attr.set_post_ops(spec.ops);
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
      src, weightsAny, biasDesc, dst, spec.win.strides,
      dnnlDilation(spec.win.dilations), {padTop, spec.win.padsBegin[1]},
      {padBottom, spec.win.padsEnd[1]});
  dnnl::convolution_forward::primitive_desc pd(desc, attr, engine());
  // The op's tuned implementation, where oneDNN has it at this band's shape
  // (a band of other weights' layout is refused below).
  if (stage.variant != kConvDefault &&
      !takeVariantImplementation(pd, stage.variant))
    pd = dnnl::convolution_forward::primitive_desc(desc, attr, engine());
  // Every band reads the weights reordered once: the layout must not
  // depend on the band's rows.
  if (!stage.weights) {
    stage.implementation = pd.impl_info_str();
    stage.weightsDesc = pd.weights_desc();
    dnnl::memory user(layoutDesc(spec.wDims, Layout::plain), engine(),
                      spec.w->data);
    if (state) {
      State::Weight weight = state->weight(user, stage.weightsDesc);
      stage.weights = weight.memory;
      stage.weightsOwner = weight.owner;
    } else {
      stage.weights = reorderedTo(user, stage.weightsDesc);
    }
    if (spec.b)
      stage.bias = userMemory(*spec.b);
  } else if (pd.weights_desc() != stage.weightsDesc) {
    throw dnnl::error(dnnl_unimplemented, "band-dependent weight layout");
  }
  scratchpadBytes = std::max(scratchpadBytes, pd.scratchpad_desc().get_size());
  Variant &result = stage.variants[shape];
  result.primitive = dnnl::convolution_forward(pd);
  for (int t = 0; t < threads; ++t) {
    result.src.emplace_back(src, engine(), nullptr);
    result.dst.emplace_back(dst, engine(), nullptr);
  }
  return result;
}

void ConvChainKernel::runStage(int t, size_t j, int64_t lo, int64_t hi,
                               const float *x, float *dst, bool dry) {
  Stage &stage = stages[j];
  // The input rows the window covers, and those of them in the image.
  int64_t first = lo * stage.stride - stage.padTop;
  int64_t last = (hi - 1) * stage.stride +
                 (stage.kernelRows - 1) * stage.dilation + 1 - stage.padTop;
  int64_t inLo = std::max<int64_t>(first, 0),
          inHi = std::min(last, stage.inRows);
  if (inHi <= inLo)
    throw dnnl::error(dnnl_unimplemented, "a band of padding only");
  const float *src;
  if (j == 0) {
    src = x ? x + inLo * stage.inRowFloats() : nullptr;
  } else {
    produce(t, j - 1, inLo, inHi, x, dry);
    const Rows &rows = threadState[t].rows[j - 1];
    src = rows.floats() + (inLo - rows.lo) * stage.inRowFloats();
  }
  BandShape shape{inHi - inLo, hi - lo, inLo - first, last - inHi};
  if (dry) {
    variant(j, shape);
    return;
  }
  Variant &v = stage.variants.find(shape)->second;
  v.src[t].set_data_handle(const_cast<float *>(src));
  v.dst[t].set_data_handle(dst);
  dnnl_exec_arg_t arguments[5] = {
      {DNNL_ARG_SRC, v.src[t].get()},
      {DNNL_ARG_WEIGHTS, stage.weights.get()},
      {DNNL_ARG_DST, v.dst[t].get()},
      {DNNL_ARG_SCRATCHPAD, threadState[t].scratchpad.get()},
      {DNNL_ARG_BIAS, stage.bias ? stage.bias.get() : nullptr}};
  dnnl_status_t status =
      dnnl_primitive_execute(v.primitive.get(), stream().get(),
                             stage.bias ? 5 : 4, arguments);
  if (status != dnnl_success)
    throw Error("oneDNN could not run a band of a convolution chain (status " +
                std::to_string(static_cast<int>(status)) + ")");
}

void ConvChainKernel::produce(int t, size_t j, int64_t lo, int64_t hi,
                              const float *x, bool dry) {
  Rows &rows = threadState[t].rows[j];
  size_t rowFloats = stages[j].outRowFloats();
  if (rows.lo <= lo && lo <= rows.hi) {
    // The rows the band before left that this one needs move to the front.
    if (lo > rows.lo && !dry)
      std::memmove(rows.floats(), rows.floats() + (lo - rows.lo) * rowFloats,
                   (rows.hi - lo) * rowFloats * sizeof(float));
    rows.lo = lo;
  } else {
    rows.lo = rows.hi = lo;
  }
  if (hi <= rows.hi)
    return;
  if (dry)
    rows.capacity = std::max(rows.capacity, hi - rows.lo);
  float *dst =
      rows.data ? rows.floats() + (rows.hi - rows.lo) * rowFloats : nullptr;
  runStage(t, j, rows.hi, hi, x, dst, dry);
  rows.hi = hi;
}

void ConvChainKernel::runPart(int t, const float *x, const float *residual,
                              float *y, int64_t begin, int64_t end, bool dry) {
  // A new part starts with empty buffers.
  for (Rows &rows : threadState[t].rows)
    rows.lo = rows.hi = 0;
  size_t last = stages.size() - 1;
  size_t rowFloats = stages[last].outRowFloats();
  for (int64_t lo = begin; lo < end; lo += bandRows) {
    int64_t hi = std::min(lo + bandRows, end);
    float *dst = y ? y + lo * rowFloats : nullptr;
    // The sum post-op adds what the destination holds: the residual.
    if (residual && residual != y && !dry)
      std::memcpy(dst, residual + lo * rowFloats,
                  (hi - lo) * rowFloats * sizeof(float));
    runStage(t, last, lo, hi, x, dst, dry);
  }
}

void ConvChainKernel::run(const KernelArgs &args) {
  const TensorRef &input = *args.inputs[0], &output = *args.outputs[0];
  const float *x = input.as<float>();
  const float *residual =
      args.input(1) ? args.inputs[1]->as<float>() : nullptr;
  float *y = output.as<float>();
  if (residual && residual != y && overlaps(*args.inputs[1], output))
    args.fail("a convolution chain's residual overlaps its output");
  if (overlaps(input, output)) {
    void *copy = state ? state->stagingData(0) : ownInputCopy.get();
    std::memcpy(copy, x, input.bytes());
    x = static_cast<const float *>(copy);
  }
  const Stage &first = stages.front(), &last = stages.back();
  size_t xImage = first.inRows * first.inRowFloats(),
         yImage = last.outRows * last.outRowFloats();
  int64_t units = images * parts, outRows = last.outRows;
  std::string error;
  forRanges(threads, units, [&](int t, int64_t begin, int64_t end) {
    try {
      for (int64_t unit = begin; unit < end; ++unit) {
        int64_t image = unit / parts, part = unit % parts;
        runPart(t, x + image * xImage,
                residual ? residual + image * yImage : nullptr,
                y + image * yImage, part * outRows / parts,
                (part + 1) * outRows / parts, false);
      }
    } catch (const Error &e) {
#pragma omp critical
      error = e.what();
    }
  });
  if (!error.empty())
    args.fail(error);
}

} // namespace

KernelPtr makeConvChain(const std::vector<KernelArgs> &stages,
                        size_t bandBytes) {
  if (stages.size() < 2 || stages.front().inputs.empty() ||
      stages.back().outputs.size() != 1)
    return nullptr;
  auto kernel = std::make_unique<ConvChainKernel>(stages);
  if (!kernel->make(stages, bandBytes))
    return nullptr;
  return kernel;
}

} // namespace mlc::rt::onednn
