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

/// A tensor as a kernel sees it: its type, dims and bytes (in the arena, in
/// the mapped weight section, or the caller's).
struct TensorRef {
  ElementType type = ElementType::f32;
  std::vector<int64_t> dims;
  void *data = nullptr;
  /// A weight: its bytes never change, so a kernel may copy them once (into
  /// its preferred layout) when it is made.
  bool constant = false;

  size_t rank() const { return dims.size(); }
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
};

/// Makes the kernel for `args.op`, after checking its operands and
/// parameters; nullptr when this backend has no kernel for it (the caller
/// falls back to the reference kernel).
using KernelFactory = std::unique_ptr<Kernel> (*)(const KernelArgs &args);

/// The plain C++ kernel of every op: the oracle. Never nullptr.
std::unique_ptr<Kernel> makeReferenceKernel(const KernelArgs &args);
/// A oneDNN kernel when oneDNN runs this op (type, shapes, parameters);
/// nullptr otherwise.
std::unique_ptr<Kernel> makeOneDNNKernel(const KernelArgs &args);

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
