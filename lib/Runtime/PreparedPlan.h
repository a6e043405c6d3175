//===- PreparedPlan.h - A plan made ready to run ----------------*- C++ -*-===//
//
// A plan (every tensor's dims and arena offset at one binding of the size
// symbols) made ready to run. With the Fast backend, each op runs in the
// layout oneDNN runs it fastest in (chooseOneDNNLayouts), and where an op
// reads a tensor in another layout than its producer wrote, a conversion
// copies it, into arena bytes placed beside the plan's own tensors. Then
// the tensors are bound to an arena and one kernel is made per op and per
// conversion, once, and tuned: every prediction at this shape runs them as
// they are, allocating nothing.
//
// A batch (the batch symbol above 1) runs its first ops item by item, each
// item through all of them before the next, while their tensors are larger
// than a core's cache: an item's chain of ops then stays in the cache,
// where the whole batch's tensors would not. The smaller ops after run on
// the whole batch at once, where batching pays.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LIB_RUNTIME_PREPAREDPLAN_H
#define MLC_LIB_RUNTIME_PREPAREDPLAN_H

#include "AlignedBuffer.h"
#include "Kernel.h"
#include "mlc/Runtime/Model.h"
#include "mlc/Runtime/Planner.h"
#include "mlc/Runtime/Session.h"

#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace mlc::rt {

/// Makes `tensor` one of `type` and `shape`, keeping its bytes when it is one
/// already: outputs handed back to the session are reused, not reallocated.
void reuseOrMake(Tensor &tensor, ElementType type,
                 const std::vector<int64_t> &shape);

/// 64-byte aligned memory that one plan's tensors, or several plans' that
/// never run at the same time, live in. Zeroed when made, so that no
/// prediction takes its first-touch page faults.
class Arena {
public:
  explicit Arena(uint64_t bytes);
  uint8_t *data() const { return static_cast<uint8_t *>(memory.get()); }
  uint64_t size() const { return bytes; }

private:
  AlignedBuffer memory;
  uint64_t bytes;
};

class PreparedPlan {
public:
  /// What tuning chose for an op's oneDNN kernel.
  struct Choice {
    /// KernelArgs::variant.
    int variant = 0;
    /// Its threads; 0 for the session's.
    int threads = 0;
    /// The Convs after it that its kernel runs with it, as a chain on
    /// bands of rows (makeOneDNNConvChain); 0 for none.
    int chained = 0;
  };

  /// Lays `plan` out: the layouts, the conversions and their place in the
  /// arena. No memory and no kernels yet.
  PreparedPlan(const Model &model, PlanData plan,
               const SessionOptions &options);
  ~PreparedPlan();

  /// The arena bytes it needs.
  uint64_t arenaBytes() const { return plan.arenaSize; }
  const std::shared_ptr<Arena> &arena() const { return memory; }
  const PlanData &data() const { return plan; }
  /// Tensor `t` as the plan has it (its dims).
  const TensorRef &tensor(size_t t) const { return tensors[t]; }
  /// Per op, the kernel it runs with.
  const std::vector<Choice> &choices() const { return opChoices; }

  /// Binds the tensors to `arena` (at least arenaBytes()) and makes the
  /// kernels, with `threads` threads and the session's `backendState`
  /// (nullptr for the Reference backend). With `tune`, the Fast backend's
  /// kernels then run once on zeros, which warms them up and times them,
  /// and each oneDNN kernel is timed against its alternatives: its other
  /// variants (Winograd's algorithm for a 3x3 convolution, on several
  /// threads also as row parts side by side), or one thread for a short op
  /// (a depthwise convolution at 7x7, say). The fastest stays. A batch's
  /// plan given its items' plan as `like` takes its choices for the ops it
  /// runs item by item, and tunes the others; a plan given one that is a
  /// batch as it is or not (another thread's at the same shape, or one at
  /// another size or batch size) takes all of its choices and times
  /// nothing.
  void build(std::shared_ptr<Arena> arena, BackendState *backendState,
             int threads, bool tune, const PreparedPlan *like = nullptr);
  /// Whether it runs a batch (the batch symbol above 1): a batch's first ops
  /// run item by item, at any batch size alike.
  bool batched() const;
  /// Whether build timed its kernels' alternatives (rather than taking
  /// another plan's choices, or oneDNN's defaults).
  bool tuned() const { return tunedHere; }

  /// Runs one prediction: copies `inputs` (one per model input, checked)
  /// in, runs every kernel (the reference kernels when `reference`), and
  /// copies the model's outputs into `outputs`, whose tensors are reused
  /// when they have the right type and shape.
  void run(const std::vector<const Tensor *> &inputs, bool reference,
           TensorMap &outputs, std::vector<OpProfile> *profile = nullptr);

  /// The slots of `profile` after the ops': conversions, copies in and out.
  static constexpr size_t kConversionSlot = 0, kCopySlot = 1;

private:
  struct Step {
    /// Shared by the steps of a batch's items when it rebinds.
    std::shared_ptr<Kernel> kernel;
    KernelArgs args;
    /// Where a profile counts its time: the op's index, or the op count
    /// plus kConversionSlot.
    size_t slot = 0;
    /// Made by makeOneDNNKernel, which can make it for another variant or
    /// thread count.
    bool onednn = false;
  };
  /// A tensor read in another layout than its producer writes: an alias
  /// of its bytes when they are the same in both, else a copy that lives in
  /// `extras[extra]` and is converted before op `first`.
  struct Version {
    TensorRef ref;
    uint32_t tensor;
    int64_t extra = -1;
  };

  /// The kernel of `args`' op: oneDNN's, made with `choice`, when it runs
  /// the op; else (or with `reference`) the reference kernel (on plain
  /// copies of channels-last operands).
  Step opStep(size_t op, KernelArgs args, Choice choice,
              bool reference = false);
  /// The step that copies tensor `from` into tensor `to` in its layout
  /// (nullptr kernel: a plain memcpy will do).
  Step copyStep(const format::Op *op, TensorRef *from, TensorRef *to);
  /// For a batch plan: itemDims, itemExprValues, and the ops that run item
  /// by item (itemOps), if any (SessionOptions::itemByItemBytes).
  void findItemOps(size_t largeBytes);
  /// The arena for a batch that runs item by item (see planItemByItem).
  void planItemByItem();
  /// Per item, the steps of ops [0, itemOps) over that item's views.
  std::vector<std::vector<Step>> makeItemSteps(bool reference);
  void makeReferenceSteps();
  /// Runs the steps once (custom layers left out), keeping each of `steps`'
  /// fastest time in `seconds`; false when a kernel throws (a custom layer
  /// refusing zeros, say).
  bool runAll(std::vector<Step> &list, std::vector<double> &seconds);
  /// Times each oneDNN kernel against its alternatives and keeps the
  /// fastest (`warmUpSeconds`: each step's time in the warm-up run).
  void tuneKernels(const std::vector<double> &warmUpSeconds);
  /// Whether `list[i + 1]` is a Conv that reads only `list[i]`'s output,
  /// which nothing else reads, both run by oneDNN as made by default: a
  /// link of a conv chain.
  bool chainLink(const std::vector<Step> &list, size_t i) const;
  /// Replaces the steps of each chain the choices ask for (Choice::chained)
  /// by one step of a conv chain kernel; `shared`, per first op, the kernels
  /// of another item's list, which serve this one's too.
  void applyChains(std::vector<Step> &list,
                   std::map<size_t, std::shared_ptr<Kernel>> *shared = nullptr);
  /// Replaces each pair of steps that one oneDNN kernel runs together, the
  /// second reading the first's output, by one step, where it applies:
  /// a Concat and its BatchNorm (makeOneDNNConcatNorm), a Mul by per-channel
  /// scales and its Conv (makeOneDNNScaledConv), a Conv with swish and the
  /// global pool of its output (makeOneDNNConvPool); `shared`, per first step,
  /// the kernels of another item's list, which serve this one's too (as
  /// applyChains).
  void fusePairs(
      std::vector<Step> &list,
      std::map<size_t, std::shared_ptr<Kernel>> *shared = nullptr) const;
  /// Asks for each longest chain of `steps` (Choice::chained); gives the
  /// index of each one's first step.
  std::vector<size_t> markChains();
  /// Times each longest chain of `steps` as one kernel against its Convs
  /// one by one, and keeps the chains that run faster.
  void tuneChains();
  /// Makes `steps` (with conversions), the item steps and the copies in
  /// and out from the choices; `chainAll` asks for every chain first,
  /// `fuse` for the pairs (fuseSteps).
  void makeSteps(bool chainAll, bool fuse = true);
  /// Fuses the pairs of `steps` and of the item steps (fusePairs); whether
  /// any were.
  bool fuseSteps();
  /// Times the whole plan on one thread against it on `threads`, for a
  /// short run (`warmUpSeconds`: the warm-up run's), and keeps the faster
  /// (threads becomes 1).
  void tuneThreads(double warmUpSeconds);

  /// The most variants a kernel factory has (KernelArgs::variant).
  static constexpr int kMaxVariant = kConvVariants - 1;

  const Model &model;
  PlanData plan;
  Backend backend;
  ConvChains convChains;
  int threads = 1;
  BackendState *backendState = nullptr;
  std::shared_ptr<Arena> memory;
  std::vector<TensorRef> tensors;
  std::deque<Version> versions;
  std::vector<Buffer> extras;
  /// Per op, the tensor or version each operand is read from.
  std::vector<std::vector<TensorRef *>> operands;
  /// Per tensor, the ops that read it, plus one for a model output.
  std::vector<uint32_t> readers;
  std::vector<Choice> opChoices;
  bool tunedHere = false;
  std::vector<Step> steps;

  /// A batch of `items` (the batch symbol's value) runs ops [0, itemOps)
  /// item by item, itemSteps[i] over views of item i, then `steps` (the
  /// other ops') on the whole batch.
  int64_t items = 1;
  size_t itemOps = 0;
  /// One item's dims of every tensor, and expressions' values.
  std::vector<std::vector<int64_t>> itemDims;
  std::vector<int64_t> itemExprValues;
  /// Per tensor and per extra that lives within one item's turn, each
  /// item's buffer (see planItemByItem).
  std::vector<std::vector<int64_t>> itemOffsets, extraItemOffsets;
  std::vector<std::vector<Step>> itemSteps, referenceItemSteps;
  std::deque<TensorRef> itemViews;
  /// Per op, the versions converted just before it.
  std::vector<std::vector<Version *>> copiesBefore;

  /// The Reference backend's kernels over plain views of the same tensors,
  /// made when a Fast plan first meets an input holding NaN or Inf.
  std::vector<TensorRef> plainTensors;
  std::vector<Step> referenceSteps;
  /// The caller's inputs and outputs as plain tensors, and the copies
  /// between them and the model's.
  std::vector<TensorRef> callerInputs, callerOutputs;
  std::vector<Step> copyIn, copyOut;
};

} // namespace mlc::rt

#endif // MLC_LIB_RUNTIME_PREPAREDPLAN_H
