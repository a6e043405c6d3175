//===- OneDNN.h - The oneDNN kernels' shared pieces -------------*- C++ -*-===//
//
// One factory per op family that oneDNN runs, and what they share: the
// engine and stream, memory descriptors of the runtime's tensors in their
// layouts, fused activations as eltwise post-ops, the session's state
// (weights reordered once for all its plans, one scratchpad for all its
// kernels), and the kernel that runs a few primitives with fixed arguments.
//
// Every factory returns nullptr unless oneDNN computes exactly what the
// reference kernel computes for this op, types and shapes: it checks each
// operand (present, f32, ranks and dims against the op's own arithmetic)
// before building anything, and a dnnl::error while building is a nullptr
// too. Operands and results are read and written in the layouts their
// TensorRefs give (see chooseOneDNNLayouts); weights (a Conv's, a
// ConvTranspose's, a Gemm's) are reordered once into the layout the
// primitive prefers.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LIB_RUNTIME_KERNELS_ONEDNN_ONEDNN_H
#define MLC_LIB_RUNTIME_KERNELS_ONEDNN_ONEDNN_H

#include "AlignedBuffer.h"
#include "Kernel.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <omp.h>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mlc::rt::onednn {

using KernelPtr = std::unique_ptr<Kernel>;
using dims = dnnl::memory::dims;

// Conv.cpp
KernelPtr makeConv(const KernelArgs &args);
KernelPtr makeConvTranspose(const KernelArgs &args);
// A Conv (group 1) whose input is a Mul by per-image, per-channel scales
// that nothing else reads, with each image's weights scaled instead;
// nullptr where that does not apply or would not pay.
KernelPtr makeScaledConv(const KernelArgs &mul, const KernelArgs &conv);
// A Conv with swish and the global average pool of its output, the pool
// taken by the swish's pass; nullptr where that does not apply.
KernelPtr makeConvPool(const KernelArgs &conv, const KernelArgs &pool);
// ConvChain.cpp
KernelPtr makeConvChain(const std::vector<KernelArgs> &stages,
                        size_t bandBytes);
// Pool.cpp
KernelPtr makePool(const KernelArgs &args);
KernelPtr makeGlobalPool(const KernelArgs &args);
// Elementwise.cpp
KernelPtr makeBatchNorm(const KernelArgs &args);
KernelPtr makeUnary(const KernelArgs &args);
KernelPtr makeBinary(const KernelArgs &args);
KernelPtr makeSoftmax(const KernelArgs &args);
// Swish.cpp: `kernel`, followed by swish over its output in place; with
// `pool`, args.outputs[1] ([N, C, 1...]) also gets each channel's mean of
// the channels-last output.
KernelPtr withSwish(KernelPtr kernel, const KernelArgs &args,
                    bool pool = false);
// Broadcast.cpp: a Binary op whose operands' descriptors oneDNN runs only by
// its reference implementation; nullptr for blocked layouts.
KernelPtr makeBroadcastBinary(const KernelArgs &args, format::BinaryKind kind,
                              const format::Activation *activation,
                              bool swapped, const dnnl::memory::desc &lhs,
                              const dnnl::memory::desc &rhs,
                              const dnnl::memory::desc &dst);
// MatMul.cpp
KernelPtr makeGemm(const KernelArgs &args);
KernelPtr makeMatMul(const KernelArgs &args);
// Data.cpp
KernelPtr makeConcat(const KernelArgs &args);
// A Concat along the channels and the BatchNorm (+ ReLU) that alone reads
// it, as one pass (DenseNet's layers); nullptr where that does not apply.
KernelPtr makeConcatNorm(const KernelArgs &concat, const KernelArgs &norm);
KernelPtr makeResize(const KernelArgs &args);
KernelPtr makeTranspose(const KernelArgs &args);
KernelPtr makeReduce(const KernelArgs &args);
KernelPtr makeGather(const KernelArgs &args);

/// The CPU engine, and the calling thread's stream, which kernels run on.
dnnl::engine &engine();
dnnl::stream &stream();

/// Dims and parameters beyond this are refused, so that the factories'
/// arithmetic on them cannot overflow.
constexpr int64_t kMaxDim = int64_t(1) << 31;

/// A usable f32 operand: present, with data, rank in [minRank, maxRank],
/// every dim in [1, kMaxDim) and fewer than 2^40 elements.
bool isF32(const TensorRef *t, size_t minRank = 0, size_t maxRank = 12);

/// Between `required` and `total` inputs, the first `required` present (the
/// rest may be nullptr: optional operands left out); exactly one output,
/// present.
bool hasOperands(const KernelArgs &args, size_t required, size_t total);

/// A flatbuffers vector as int64s (empty for a missing one).
template <typename V> std::vector<int64_t> toVector(const V *v) {
  std::vector<int64_t> result;
  if (v)
    for (auto x : *v)
      result.push_back(static_cast<int64_t>(x));
  return result;
}

/// Window parameters of `spatial` entries: empty means `fill`; any other size
/// or a value outside [min, kMaxDim) is refused (false).
bool windowParam(std::vector<int64_t> &values, size_t spatial, int64_t fill,
                 int64_t min);

/// The strides, in elements, of dims `d` in `layout` (channels-last applies
/// to ranks 3 to 5; any other rank is row-major).
dims layoutStrides(const dims &d, Layout layout);
/// An f32 descriptor of dims `d` in `layout`.
dnnl::memory::desc layoutDesc(const dims &d, Layout layout);
/// A row-major f32 descriptor.
inline dnnl::memory::desc plainDesc(const dims &d) {
  return layoutDesc(d, Layout::plain);
}
/// The descriptor of `t`: its dims in its layout.
inline dnnl::memory::desc descOf(const TensorRef &t) {
  return layoutDesc(t.dims, t.layout);
}
/// A memory over the tensor's bytes: its dims in its layout, or dims `d` (of
/// the same element count) in its layout.
dnnl::memory userMemory(const TensorRef &t);
dnnl::memory userMemory(const TensorRef &t, const dims &d);

/// Whether the bytes of `a` and `b` overlap.
bool overlaps(const TensorRef &a, const TensorRef &b);

/// Runs fn(thread, begin, end) on [0, n) split into contiguous ranges, one
/// per thread of a team of `team` (mlc's own loops). A team of one runs on
/// the calling thread, outside any parallel region: libgomp allocates a team
/// for each region, even of one thread, and a prediction allocates nothing.
/// `fn` must not throw on a team of several.
template <typename Fn> void forRanges(int team, int64_t n, Fn fn) {
  if (team <= 1 || n <= 1) {
    fn(0, int64_t(0), n);
    return;
  }
#pragma omp parallel num_threads(team)
  {
    int t = omp_get_thread_num(), count = omp_get_num_threads();
    fn(t, n * t / count, n * (t + 1) / count);
  }
}

/// Holds the calling thread's OpenMP thread count at `threads` while alive:
/// one for primitives that kernels run several of at once on their own
/// threads (conv chains, row parts); the session's for a weight's reorder.
struct OmpThreads {
  int saved = omp_get_max_threads();
  explicit OmpThreads(int threads) { omp_set_num_threads(threads); }
  ~OmpThreads() { omp_set_num_threads(saved); }
};

/// A windowed op's parameters over its spatial dims, pads resolved.
struct Window {
  std::vector<int64_t> strides, dilations, padsBegin, padsEnd;
};
/// oneDNN counts dilation from 0.
dims dnnlDilation(const std::vector<int64_t> &d);

/// A Conv's operands and parameters, checked against its shapes: what its
/// kernels are made from.
struct ConvSpec {
  const TensorRef *x = nullptr, *w = nullptr, *b = nullptr, *r = nullptr,
                  *y = nullptr;
  Window win;
  std::vector<int64_t> kernel;
  int64_t group = 1;
  /// oneDNN's weight dims: (g,) M/g, C/g, k...
  dims wDims;
  /// The residual as a `sum`, then the activation.
  dnnl::post_ops ops;
};
/// Fills `spec` from a Conv's args; false when oneDNN does not compute
/// what the reference kernel does for them.
bool readConv(const KernelArgs &args, ConvSpec &spec);
/// The kernel of the convolution `spec` describes (readConv's, perhaps
/// changed since), by the algorithm args.variant names, swish left out.
KernelPtr makeConvSteps(const KernelArgs &args, const ConvSpec &spec);
/// The convolution `spec` describes on args.threads threads at once, each
/// a one-thread kernel of Winograd's algorithm on its part of the output
/// rows (ConvRowParts.cpp, kConvWinogradRowParts); nullptr where that does
/// not apply.
KernelPtr makeConvRowParts(const KernelArgs &args, const ConvSpec &spec);

/// Moves `pd` on to the implementation a Conv's `variant` runs by: for
/// kConvNextImplementation, the one oneDNN offers after its first choice
/// that is one of its JIT kernels (not gemm-based); for kConvAVX2, its
/// first AVX2 JIT kernel. False when there is none. The op desc `pd` was
/// made from must still be alive: oneDNN's iterator reads it.
bool takeVariantImplementation(dnnl::primitive_desc &pd, int variant);

/// Appends the fused activation as eltwise post-ops when oneDNN's definition
/// equals ONNX's (false otherwise). A null or `none` activation appends
/// nothing.
bool appendActivation(dnnl::post_ops &ops, const format::Activation *act);

/// The attributes every primitive is made with: `ops` as post-ops, and the
/// session's scratchpad (args.backend) rather than one oneDNN allocates.
dnnl::primitive_attr makeAttr(const KernelArgs &args,
                              const dnnl::post_ops &ops = dnnl::post_ops());

/// `memory` in the layout `desc`: itself when it already has it, else a
/// reordered copy the caller keeps.
dnnl::memory reorderedTo(const dnnl::memory &memory,
                         const dnnl::memory::desc &desc);

/// The oneDNN backend's state for a session.
class State : public BackendState {
public:
  /// A weight in a kernel's layout, and what keeps its bytes alive: a
  /// kernel holds it, the cache does not, so that the weights of kernels a
  /// session times and drops (KernelArgs::variant) are freed.
  struct Weight {
    dnnl::memory memory;
    std::shared_ptr<void> owner;
  };
  /// Whether kernels may use Winograd's algorithm (KernelArgs::variant 1
  /// of a 3x3 stride-1 Conv).
  bool winograd = true;
  /// `user` (over constant bytes) in the layout `desc`: reordered once
  /// for every kernel of every plan that holds it.
  Weight weight(const dnnl::memory &user, const dnnl::memory::desc &desc);
  /// Takes `other`'s reordered weights, and shares those made from now on.
  void shareWeights(const State &other) { weights = other.weights; }
  /// A kernel's primitive needs `bytes` of scratchpad while it runs.
  void bookScratchpad(size_t bytes) { booked = std::max(booked, bytes); }
  /// The scratchpad every kernel runs with (allocated by prepare).
  const dnnl::memory &scratchpad() const { return scratch; }
  /// Staging memory for a kernel's operand in the layout its primitive
  /// wants: two slots (a source, a destination), shared by every kernel
  /// since one runs at a time.
  static constexpr int kStagingSlots = 2;
  void bookStaging(int slot, size_t bytes) {
    staging[slot].booked = std::max(staging[slot].booked, bytes);
  }
  void *stagingData(int slot) const { return staging[slot].memory.get(); }
  /// The state of thread `t` of a kernel that runs a one-thread primitive on
  /// each of its threads at once (makeConvRowParts): its own scratchpad and
  /// staging, this state's weights; shared by every such kernel, since one
  /// kernel runs at a time. Made ready by prepare(). The weights it
  /// reorders are reordered on `sessionThreads` threads (once for all:
  /// Winograd's transform of fcn_resnet50's head takes seconds on one).
  State &threadState(int t, int sessionThreads);
  void prepare() override;

private:
  struct Reordered {
    dnnl::memory::desc userDesc, desc;
    dnnl::memory memory;
    std::weak_ptr<void> owner;
  };
  using Weights = std::unordered_multimap<const void *, Reordered>;
  /// Shared with the states of the session's other threads (one weight
  /// copy for all of them); made and looked up by one thread at a time.
  std::shared_ptr<Weights> weights = std::make_shared<Weights>();
  struct Staging {
    size_t booked = 0, allocated = 0;
    AlignedBuffer memory;
  };
  Staging staging[kStagingSlots];
  size_t booked = 0, allocated = 0;
  AlignedBuffer scratchData;
  dnnl::memory scratch;
  std::vector<std::unique_ptr<State>> threadStates;
  /// The threads weight reorders run on; 0 for the caller's.
  int reorderThreads = 0;
};

/// A few primitives run in order, each with arguments fixed when the kernel
/// is made: the op's own, and reorders into and out of the layouts it runs
/// in. Runs through oneDNN's C API with prebuilt argument lists, so that a
/// run allocates nothing. The memories over the op's operands and results
/// take their addresses from each run's KernelArgs (rebinds).
class PrimitiveKernel : public Kernel {
public:
  /// Made with the calling thread's OpenMP thread count, which its
  /// primitives are made for and run with.
  explicit PrimitiveKernel(const KernelArgs &args);
  /// Appends `primitive` with its arguments (and the session's scratchpad
  /// when it asks for one).
  void add(const dnnl::primitive &primitive,
           const std::vector<std::pair<int, dnnl::memory>> &arguments);
  /// A weight (`user`, over constant bytes) in the layout `desc`, which the
  /// kernel keeps: the session's copy when there is one (args.backend),
  /// shared by every kernel that uses it.
  dnnl::memory weight(const dnnl::memory &user, const dnnl::memory::desc &desc);
  /// Memory in `desc` for an operand converted into the primitive's layout,
  /// only while the kernel runs: the session's staging slot `slot`
  /// (State::kStagingSlots), or the kernel's own without a session; with
  /// `offset`, a part of the slot `offset` bytes in, over the same memory as
  /// an earlier staged() of the whole.
  dnnl::memory staged(const dnnl::memory::desc &desc, int slot,
                      size_t offset = 0);
  void run(const KernelArgs &args) override;
  std::string implementation() const override;
  bool rebinds() const override { return true; }

  /// The operand copied into the destination before each run (the operand
  /// of a `sum` post-op: a Conv's residual) unless it is there already; -1
  /// for none.
  int sumOperand = -1;
  /// What the kernel does besides its op, for profiles ("input scaled per
  /// channel"); empty for nothing.
  std::string fused;

private:
  struct Step {
    dnnl::primitive primitive;
    std::vector<dnnl::memory> memories;
    std::vector<dnnl_exec_arg_t> arguments;
    /// The index in `arguments` of the scratchpad, or -1.
    int scratchpad = -1;
  };
  /// A memory over an operand (or a result) of the op, at `offset` bytes
  /// into it, and the address it has now.
  struct Binding {
    size_t step, memory;
    bool result;
    size_t operand;
    ptrdiff_t offset;
    void *bound;
  };
  /// An operand's or a result's bytes when the kernel was made.
  struct Range {
    uint8_t *begin;
    size_t bytes;
  };
  State *state;
  int threads, sessionThreads;
  /// Where the operands and results were when the kernel was made, which
  /// add() finds its memories' addresses in.
  std::vector<Range> createdInputs, createdOutputs;
  std::vector<Step> steps;
  std::vector<Binding> bindings;
  /// oneDNN's name of the op's own primitive (not a reorder around it).
  std::string name;
  /// Memories bound to a staging slot (at an offset) when the kernel runs.
  struct Staged {
    dnnl::memory memory;
    int slot;
    size_t offset;
  };
  std::vector<Staged> stagedMemories;
  /// Without a session: the kernel's own staging, per slot.
  dnnl::memory ownStaging[State::kStagingSlots];
  /// The session's weights it uses.
  std::vector<std::shared_ptr<void>> weights;
};

} // namespace mlc::rt::onednn

#endif // MLC_LIB_RUNTIME_KERNELS_ONEDNN_ONEDNN_H
