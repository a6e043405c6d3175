//===- Kernel.h - How the runtime runs one op -------------------*- C++ -*-===//
//
// A kernel runs one op of a .mlc file at one shape plan. Kernels are made
// once per op and plan (a oneDNN kernel creates its primitive then) and run
// for every prediction at that plan; the tensors' addresses do not change
// between runs. The factory checks everything the kernel indexes with (ranks,
// dims, parameters against the shapes) and throws rt::Error when the file
// asks for something inconsistent: a malformed file is an error, never an
// out-of-bounds access.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LIB_RUNTIME_KERNEL_H
#define MLC_LIB_RUNTIME_KERNEL_H

#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/Tensor.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlc::rt {

/// How a tensor's elements lie in memory. Dims are always the logical ones
/// (N, C, spatial...): `plain` is row-major over them; `channelsLast` puts C
/// innermost (NWC, NHWC, NDHWC for ranks 3 to 5), the layout oneDNN's
/// fastest convolutions read and write, with no padding, so a tensor takes
/// the same bytes in either. Weights, and every reference kernel's operands,
/// are plain.
enum class Layout : uint8_t { plain, channelsLast };

/// A tensor as a kernel sees it: its type, dims, layout and bytes (in the
/// arena, in the mapped weight section, or the caller's).
struct TensorRef {
  ElementType type = ElementType::f32;
  std::vector<int64_t> dims;
  void *data = nullptr;
  Layout layout = Layout::plain;
  /// A weight: its bytes never change, so a kernel may copy them once (into
  /// its preferred layout) when it is made.
  bool constant = false;

  size_t rank() const { return dims.size(); }
  /// Whether its bytes are the same in either layout: ranks other than 3 to
  /// 5, one channel, or one spatial position (a globally pooled [N, C, 1, 1]).
  bool layoutNeutral() const;
  int64_t dim(size_t i) const { return dims[i]; }
  int64_t count() const {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d;
    return n;
  }
  size_t bytes() const { return count() * elementSize(type); }
  template <typename T> T *as() const { return static_cast<T *>(data); }
};

/// What a backend keeps for a session across its plans (the oneDNN
/// backend: weights reordered into its layouts, its scratchpad).
class BackendState {
public:
  virtual ~BackendState() = default;
  /// Makes ready what the kernels made so far need at run time, so that
  /// no prediction allocates it.
  virtual void prepare() {}
};

/// What a kernel gets: its op, its operands (nullptr for an optional one
/// left out), its results, and the values of the model's expressions at
/// this plan (PadParams.pads, SliceParams.starts, ShapeValuesParams.values
/// index them).
struct KernelArgs {
  const format::Op *op = nullptr;
  std::vector<TensorRef *> inputs;
  std::vector<TensorRef *> outputs;
  const std::vector<int64_t> *exprValues = nullptr;
  /// Threads the kernel may use.
  int threads = 1;
  /// The session's state of this backend; nullptr in a kernel made alone
  /// (a unit test), which then keeps everything itself.
  BackendState *backend = nullptr;
  /// Which of the backend's ways to run the op to make: 0 is its default;
  /// others (ConvVariant) are alternatives a session times against it. A
  /// factory gives nullptr for a variant it does not have for this op.
  int variant = 0;

  TensorRef *input(size_t i) const {
    return i < inputs.size() ? inputs[i] : nullptr;
  }
  int64_t expr(uint32_t index) const { return (*exprValues)[index]; }
  /// "Conv 'layer1.0.conv1'": how errors name the op.
  std::string describe() const;
  /// Throws rt::Error "<op>: <message>".
  [[noreturn]] void fail(const std::string &message) const;
};

class Kernel {
public:
  virtual ~Kernel() = default;
  virtual void run(const KernelArgs &args) = 0;
  /// What runs the op, for profiles: "reference", or oneDNN's name of its
  /// implementation ("brgconv:avx512_core").
  virtual std::string implementation() const { return "reference"; }
  /// Whether it takes its operands' and results' addresses from the
  /// KernelArgs of each run: then one kernel serves any tensors of the
  /// shapes and layouts it was made for (each item of a batch).
  virtual bool rebinds() const { return false; }
};

/// The oneDNN backend's ways to run a Conv (KernelArgs::variant).
enum ConvVariant : int {
  kConvDefault = 0,
  /// Winograd's algorithm, for a 3x3 stride-1 convolution.
  kConvWinograd = 1,
  /// Winograd's algorithm on the phases of a dilated 3x3 convolution.
  kConvPhasedWinograd = 2,
  /// For a depthwise or grouped convolution, the direct algorithm by
  /// oneDNN's next implementation after its first choice that runs on the
  /// same layouts (jit_dw after brdgmm_dw; AVX2's JIT kernel after
  /// AVX-512's for 16-channel groups).
  kConvNextImplementation = 3,
  /// Winograd's algorithm on two or more threads as one-thread kernels, each
  /// on its part of the output rows, side by side: oneDNN's Winograd
  /// kernel gains 1.2-1.3x from a second thread, the direct one 1.9x.
  kConvWinogradRowParts = 4,
  /// On an AVX-512 machine, for a convolution whose input or output
  /// channels (per group; a depthwise one's all) are not a multiple of 16,
  /// the direct algorithm by oneDNN's AVX2 JIT kernel (8-wide vectors) on
  /// the same layouts: 24 channels fill one and a half 16-wide vectors,
  /// three 8-wide ones; where AVX-512 runs in 256-bit halves (Zen 4)
  /// nothing is lost (mobilenet_v2's 144 -> 24 projection at 56x56: 0.21
  /// against 0.26 ms).
  kConvAVX2 = 5,
  kConvVariants
};

/// Makes the kernel for `args.op`, after checking its operands and
/// parameters; nullptr when this backend has no kernel for it (the caller
/// falls back to the reference kernel).
using KernelFactory = std::unique_ptr<Kernel> (*)(const KernelArgs &args);

/// The plain C++ kernel of every op: the oracle. Never nullptr.
std::unique_ptr<Kernel> makeReferenceKernel(const KernelArgs &args);
/// A oneDNN kernel when oneDNN runs this op (type, shapes, parameters,
/// the layouts of its operands and results); nullptr otherwise.
std::unique_ptr<Kernel> makeOneDNNKernel(const KernelArgs &args);

/// The bytes of a thread's intermediate rows a conv chain's band may take
/// by default: about half a core's L2 cache, leaving room for the weights
/// and the band's output.
constexpr size_t kConvChainBandBytes = size_t(512) << 10;

/// One kernel for a chain of Convs, each reading only the one before it
/// (`stages`: their args, in order), run on bands of rows whose
/// intermediate rows take at most `bandBytes` per thread; nullptr when
/// oneDNN cannot run them so. It runs with convChainArgs(stages).
std::unique_ptr<Kernel>
makeOneDNNConvChain(const std::vector<KernelArgs> &stages,
                    size_t bandBytes = kConvChainBandBytes);
/// What a conv chain's kernel runs with: the first Conv's input and the
/// last's residual (nullptr without one) as inputs, the last's output.
KernelArgs convChainArgs(const std::vector<KernelArgs> &stages);

/// One kernel for a Concat along the channels and the BatchNorm (with ReLU
/// or none) that is its output's only reader: each value is normalized as
/// it is copied, so the concatenation is never written to memory and read
/// back (DenseNet normalizes each concatenation of its features); nullptr
/// when it does not apply. It runs with concatNormArgs(concat, norm).
std::unique_ptr<Kernel> makeOneDNNConcatNorm(const KernelArgs &concat,
                                             const KernelArgs &norm);
/// What it runs with: the Concat's inputs, the BatchNorm's output.
KernelArgs concatNormArgs(const KernelArgs &concat, const KernelArgs &norm);

/// One kernel for a Mul of a tensor by per-image, per-channel scales ([N or
/// 1, C, 1...]: a squeeze-and-excitation block's gate in efficientnet,
/// mobilenet_v3, regnet_y) and the group-1 Conv that alone reads the
/// product: a convolution is linear in its input channels, so each image is
/// convolved unscaled with its weights scaled by its scales, and the
/// product is never written to memory and read back; nullptr where it does
/// not apply or where the weights outweigh the tensor. It runs with
/// scaledConvArgs(mul, conv).
std::unique_ptr<Kernel> makeOneDNNScaledConv(const KernelArgs &mul,
                                             const KernelArgs &conv);
/// What it runs with: the Conv's operands with the Mul's tensor as the
/// input, then the scales; the Conv's output.
KernelArgs scaledConvArgs(const KernelArgs &mul, const KernelArgs &conv);

/// One kernel for a Conv whose activation is swish (mlc's own pass over its
/// output) and a global average pool of its output (which others may read
/// too: a squeeze-and-excitation block's): the pass also sums each
/// channel, so the pool never reads the output again; nullptr where it does
/// not apply. It runs with convPoolArgs(conv, pool).
std::unique_ptr<Kernel> makeOneDNNConvPool(const KernelArgs &conv,
                                           const KernelArgs &pool);
/// What it runs with: the Conv's operands; its output, then the pool's.
KernelArgs convPoolArgs(const KernelArgs &conv, const KernelArgs &pool);

/// Whether oneDNN runs its AVX-512 kernels here (the machine has them and
/// DNNL_MAX_CPU_ISA does not hold it below): its Winograd kernels, its
/// brgemm-based matmul and mlc's AVX-512 loops need them.
bool oneDNNHasAVX512();

/// The oneDNN backend's state for one session, or for one of its threads
/// running its part of a batch; `winograd`: whether 3x3 stride-1
/// convolutions may use Winograd's algorithm (variant 1). A thread's state
/// has its own scratchpad and staging, and shares the weights reordered for
/// `sharingWeightsWith` (another makeOneDNNState's, or nullptr).
std::unique_ptr<BackendState>
makeOneDNNState(bool winograd, const BackendState *sharingWeightsWith = nullptr);

/// The layouts a backend runs a plan in: per tensor, the layout its
/// producer writes (for a model input, the one the session copies it into);
/// per op, per operand, the layout the op reads it in.
struct LayoutChoice {
  std::vector<Layout> tensors;
  std::vector<std::vector<Layout>> operands;
};

/// The oneDNN backend's layouts for a plan whose tensors (dims and types)
/// are `tensors`: channels-last for convolutions, and for the ops that run
/// in any layout (elementwise, pooling, batch norm, concat, resize) when
/// their input is channels-last; plain for everything else.
LayoutChoice chooseOneDNNLayouts(const format::Model &graph,
                                 const std::vector<TensorRef> &tensors);

/// A kernel that copies `args.inputs[0]` into `args.outputs[0]`: the same
/// f32 tensor in another layout. It reads the two tensors' addresses each
/// run (the caller's inputs and outputs change between runs).
std::unique_ptr<Kernel> makeLayoutConversion(const KernelArgs &args);

/// The reference kernel of an op some of whose operands or results are
/// channels-last: it runs on plain copies of them, converted before and
/// after.
std::unique_ptr<Kernel> makePlainFallback(const KernelArgs &args);

/// A kernel from a function: for kernels without state.
template <typename Fn> std::unique_ptr<Kernel> makeKernel(Fn fn) {
  struct FnKernel : Kernel {
    explicit FnKernel(Fn fn) : fn(std::move(fn)) {}
    void run(const KernelArgs &args) override { fn(args); }
    Fn fn;
  };
  return std::make_unique<FnKernel>(std::move(fn));
}

/// The op's type name as in the schema ("ConvParams" -> "Conv").
const char *opTypeName(const format::Op &op);

/// Applies a fused activation to one value.
float applyActivation(const format::Activation &activation, float x);

/// The explicit begin and end pads of a windowed op (Conv, Pool) over
/// `spatial` dims, from its pads or its auto_pad: SAME pads depend on the
/// input size. `pads` has begin..., end... (empty: zeros).
std::vector<int64_t> resolvePads(format::AutoPad autoPad,
                                 const std::vector<int64_t> &inputDims,
                                 const std::vector<int64_t> &kernel,
                                 const std::vector<int64_t> &strides,
                                 const std::vector<int64_t> &dilations,
                                 const std::vector<int64_t> &pads);

} // namespace mlc::rt

#endif // MLC_LIB_RUNTIME_KERNEL_H
