//===- Session.h - Running predictions --------------------------*- C++ -*-===//
//
// A session runs a model's predictions. Each input shape the model takes
// has a plan (every tensor's dims and its place in a memory arena):
// enumerated shapes come with the file, others are planned on first sight
// and cached (SessionOptions::plansKept). A plan is made ready to run once
// (its kernels, the weights in the kernels' layouts, its arena): when the
// session is made for the shapes the file has plans for
// (SessionOptions::prepare), on first use for the others. After that, a
// prediction at that shape allocates nothing but its outputs (none with the
// predict overload that reuses them).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_SESSION_H
#define MLC_RUNTIME_SESSION_H

#include "mlc/Runtime/Model.h"
#include "mlc/Runtime/Tensor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlc::rt {

enum class Backend {
  /// oneDNN kernels where they run an op, reference kernels elsewhere. A
  /// prediction whose inputs hold NaN or Inf runs on the reference kernels,
  /// which pass them through as ONNX defines (oneDNN's ReLU makes NaN 0).
  Fast,
  /// The plain C++ reference kernels only: the oracle.
  Reference,
};

/// How the Fast backend runs a chain of Convs each of which reads only the
/// one before it (mobilenet_v2's inverted residual blocks: an expansion, a
/// depthwise, a projection): on bands of rows, without writing the tensors
/// between them to memory, or op by op.
enum class ConvChains {
  /// Tuning times each chain both ways and keeps the faster (op by op
  /// without `tune`).
  Tuned,
  /// On bands wherever oneDNN can run the chain so.
  Always,
  /// Op by op.
  Never,
};

struct SessionOptions {
  /// Threads the kernels may use; 0 for one per core.
  int threads = 0;
  Backend backend = Backend::Fast;
  /// Custom layer plugins (shared libraries, see CustomLayer.h) to load
  /// before the model is looked at; a plugin already loaded is not loaded
  /// again. The session then checks that every custom op's class is
  /// registered, and throws rt::Error naming the class if not.
  std::vector<std::string> plugins;
  /// Make every shape the file has a plan for ready when the session is
  /// made (they share one arena), so that the first prediction at each is
  /// as fast as the next; false makes each on first use, which takes less
  /// memory when few of them will be used.
  bool prepare = true;
  /// Time every op of every prediction (see Session::profile).
  bool profile = false;
  /// When the Fast backend makes a shape's kernels, run them a few times on
  /// zeros: it warms them up (the first prediction is then as fast as the
  /// next) and times each against its alternatives (Winograd's algorithm,
  /// one thread for a short op), keeping the fastest; a network whose whole
  /// prediction is short (under 10 ms) is also timed on one thread, which
  /// it keeps when that is faster (its ops too small to share). False
  /// takes oneDNN's defaults, and makes a shape ready sooner.
  bool tune = true;
  /// Let tuning give 3x3 stride-1 convolutions Winograd's algorithm where it
  /// runs faster: about half the multiplications, for rounding errors a few
  /// times those of the direct algorithm, and transformed weights up to 4x
  /// the size of the direct ones. False keeps every convolution direct.
  bool winograd = true;
  ConvChains convChains = ConvChains::Tuned;
  /// A batch run in one pass (predictBatch) takes its first ops item by
  /// item, each item through all of them before the next, while their
  /// tensors take at least this many bytes for one item: an item's chain
  /// then stays in a core's cache, where the whole batch's would not. 0:
  /// the size of a core's second-level cache.
  size_t itemByItemBytes = 0;
  /// A batch (predictBatch) of at least `threads` items runs as `threads`
  /// parts at once, one per thread, each on kernels made for one thread:
  /// no thread waits for the others between ops, as they do when every op
  /// of the batch is split across them. Each thread has its own arena and
  /// scratchpad; the weights are shared. False runs the batch's ops one
  /// after another on all the threads. (Batches of models with custom
  /// layers are never split: a layer's code need not be safe to run on
  /// several threads at once.)
  bool splitBatches = true;
  /// Batch sizes (predictBatch) to make ready at the shapes the file has
  /// plans for and `shapes`, when the session is made (with `prepare`): the
  /// plans a batch of each size runs (its parts', when it is split) are
  /// made and tuned then, so that its first prediction is as fast as the
  /// next. A batch of another size is made ready at its first prediction.
  std::vector<int64_t> batchSizes;
  /// Input shapes to make ready with the session too (with `prepare`),
  /// besides those the file has plans for: a ranged model's sizes the app
  /// will meet, planned and tuned now rather than at their first
  /// prediction. Each gives every input's dims by name; one the model does
  /// not take throws rt::Error, as a prediction at it would.
  std::vector<std::map<std::string, std::vector<int64_t>>> shapes;
  /// A plan made at a prediction (a shape the session was not made ready
  /// for: a ranged model's new size, a batch of a new size) takes the
  /// kernel choices of the nearest shape tuned, a batch if it is one,
  /// untimed, and is tuned only when there is none. A thread of predictions
  /// keeps at most `plansKept` of the plans made so; beyond it the least
  /// recently used goes, with what only it held (its kernels, weights in
  /// layouts no other plan uses). The tuned plans stay.
  size_t plansKept = 16;
};

/// Where predictions spent their time: one entry per op of the model, then
/// the layout conversions and the copies of inputs and outputs.
struct OpProfile {
  /// The op's node name; empty for conversions and copies.
  std::string name;
  /// "Conv", "Pool", ..., "layout conversion", "copy in and out".
  std::string type;
  /// What ran it last: "reference", or oneDNN's implementation
  /// ("brgconv:avx512_core", "jit_wino_4x3:avx512_core, 1 thread").
  std::string kernel;
  double milliseconds = 0;
  int64_t runs = 0;
};

class Session {
public:
  explicit Session(std::shared_ptr<const Model> model,
                   SessionOptions options = {});
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  const Model &model() const { return *modelRef; }

  /// One prediction. Every input must be given, with an allowed shape and
  /// its element type; throws rt::Error otherwise (the message lists the
  /// allowed shapes).
  TensorMap predict(const TensorMap &inputs);
  /// The same, into `outputs`: a tensor already there with the output's
  /// name, type and shape is written over, so that repeated predictions
  /// allocate nothing.
  void predict(const TensorMap &inputs, TensorMap &outputs);

  /// Several predictions: in one pass with batch dim N when the model is
  /// batchable and every item has the same shapes, else one after another;
  /// split across the threads (SessionOptions::splitBatches), each thread
  /// does so with its part.
  std::vector<TensorMap> predictBatch(const std::vector<TensorMap> &batch);
  /// The same, into `results` (one TensorMap per item), whose tensors are
  /// reused when they have the output's type and shape.
  void predictBatch(const std::vector<TensorMap> &batch,
                    std::vector<TensorMap> &results);

  /// The parts a batch of `items` runs in at once, one per thread (see
  /// SessionOptions::splitBatches); 1 when it is not split.
  int batchParts(size_t items) const;

  /// The time each op took over all predictions so far, when the session
  /// was made with SessionOptions::profile (empty otherwise). A batch split
  /// across threads counts each thread's time.
  std::vector<OpProfile> profile() const;

  /// Plans made ready so far (a split batch's threads make their own).
  size_t planCount() const;
  /// Bytes of the arenas allocated so far (an arena plans share counts
  /// once).
  size_t arenaBytes() const;

private:
  struct Impl;
  std::shared_ptr<const Model> modelRef;
  std::unique_ptr<Impl> impl;
};

} // namespace mlc::rt

#endif // MLC_RUNTIME_SESSION_H
