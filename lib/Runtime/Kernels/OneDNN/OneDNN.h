//===- OneDNN.h - The oneDNN kernels' shared pieces -------------*- C++ -*-===//
//
// One factory per op family that oneDNN runs, and what they share: the
// engine and stream, plain (row-major) memory descriptors over the runtime's
// tensors, fused activations as eltwise post-ops, and the kernel that holds
// one primitive with its arguments.
//
// Every factory returns nullptr unless oneDNN computes exactly what the
// reference kernel computes for this op, types and shapes: it checks each
// operand (present, f32, ranks and dims against the op's own arithmetic)
// before building anything, and a dnnl::error while building is a nullptr
// too. Activations stay in the plain layout; weights (a Conv's, a
// ConvTranspose's, a Gemm's) are reordered once, in the factory, into the
// layout the primitive prefers, in memory the kernel owns.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LIB_RUNTIME_KERNELS_ONEDNN_ONEDNN_H
#define MLC_LIB_RUNTIME_KERNELS_ONEDNN_ONEDNN_H

#include "Kernel.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace mlc::rt::onednn {

using KernelPtr = std::unique_ptr<Kernel>;
using dims = dnnl::memory::dims;

// Conv.cpp
KernelPtr makeConv(const KernelArgs &args);
KernelPtr makeConvTranspose(const KernelArgs &args);
// Pool.cpp
KernelPtr makePool(const KernelArgs &args);
KernelPtr makeGlobalPool(const KernelArgs &args);
// Elementwise.cpp
KernelPtr makeBatchNorm(const KernelArgs &args);
KernelPtr makeUnary(const KernelArgs &args);
KernelPtr makeBinary(const KernelArgs &args);
KernelPtr makeSoftmax(const KernelArgs &args);
// MatMul.cpp
KernelPtr makeGemm(const KernelArgs &args);
KernelPtr makeMatMul(const KernelArgs &args);
// Data.cpp
KernelPtr makeConcat(const KernelArgs &args);
KernelPtr makeResize(const KernelArgs &args);

/// The CPU engine and the stream every kernel runs on.
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

/// A row-major f32 descriptor.
dnnl::memory::desc plainDesc(const dims &d);
/// A memory over the tensor's bytes with a row-major descriptor of `d`
/// (by default the tensor's own dims; `d` must have its element count).
dnnl::memory userMemory(const TensorRef &t);
dnnl::memory userMemory(const TensorRef &t, const dims &d);

/// Appends the fused activation as eltwise post-ops when oneDNN's definition
/// equals ONNX's (false otherwise). A null or `none` activation appends
/// nothing.
bool appendActivation(dnnl::post_ops &ops, const format::Activation *act);

/// `memory` in the layout `desc`: itself when it already has it, else a
/// reordered copy the caller keeps (weights, in the factory).
dnnl::memory reorderedTo(const dnnl::memory &memory,
                         const dnnl::memory::desc &desc);

/// One primitive and its arguments, fixed at creation.
class PrimitiveKernel : public Kernel {
public:
  void run(const KernelArgs &args) override;

  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> arguments;
  /// Primitives run before it (reorders into its layout), in order, with
  /// their arguments.
  std::vector<std::pair<dnnl::primitive, std::unordered_map<int, dnnl::memory>>>
      before;
  /// Primitives run after it, in order, with their arguments.
  std::vector<std::pair<dnnl::primitive, std::unordered_map<int, dnnl::memory>>>
      then;
  /// Memory the kernel owns (reordered weights) beyond `arguments`.
  std::vector<dnnl::memory> owned;
  /// Copied into the destination before each run (the operand of a `sum`
  /// post-op: a Conv's residual) unless it is the destination already.
  const void *sumFrom = nullptr;
  void *sumTo = nullptr;
  size_t sumBytes = 0;
};

} // namespace mlc::rt::onednn

#endif // MLC_LIB_RUNTIME_KERNELS_ONEDNN_ONEDNN_H
