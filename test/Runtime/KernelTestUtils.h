//===- KernelTestUtils.h - Running one kernel in a unit test ----*- C++ -*-===//
//
// Helpers to run a single kernel without a .mlc file:
//
//   TestOp op([](flatbuffers::FlatBufferBuilder &b) {
//     return format::CreateGemmParams(b, 1.0f, 0.0f);
//   });
//   TestTensor a = TestTensor::f32({2, 3}, {...});
//   TestTensor b = TestTensor::random({3, 4}, /*seed=*/1);
//   std::vector<TestTensor> y =
//       runReference(op, {&a, &b}, {TestTensor(ElementType::f32, {2, 4})});
//   expectNear(y[0].floats(), expected, 1e-5f);
//
// TestOp owns the FlatBuffer its format::Op lives in. TestTensor owns its
// bytes and a TensorRef that points at them. Outputs are passed in with the
// type and dims the plan would give them (zero-filled) and come back filled.
// runKernel takes any KernelFactory, so a backend's kernels can be run on the
// same operands as the reference kernels and compared.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TEST_RUNTIME_KERNELTESTUTILS_H
#define MLC_TEST_RUNTIME_KERNELTESTUTILS_H

#include "Kernel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace mlc::rt::test {

/// A tensor that owns its bytes (8-byte aligned, zero-filled) and a
/// TensorRef pointing at them. Copies point at their own bytes.
class TestTensor {
public:
  TestTensor(ElementType type, std::vector<int64_t> dims) {
    ref.type = type;
    ref.dims = std::move(dims);
    // At least one word so that data is never null, even for 0 elements.
    storage.assign((ref.bytes() + 7) / 8 + 1, 0);
    ref.data = storage.data();
  }
  TestTensor(const TestTensor &other)
      : ref(other.ref), storage(other.storage) {
    ref.data = storage.data();
  }
  TestTensor &operator=(const TestTensor &other) {
    ref = other.ref;
    storage = other.storage;
    ref.data = storage.data();
    return *this;
  }
  // Moving a vector keeps its buffer, so ref.data stays valid.
  TestTensor(TestTensor &&) noexcept = default;
  TestTensor &operator=(TestTensor &&) noexcept = default;

  /// A tensor of type `type` holding `values` (C++ type T must match it).
  template <typename T>
  static TestTensor of(ElementType type, std::vector<int64_t> dims,
                       const std::vector<T> &values) {
    TestTensor t(type, std::move(dims));
    EXPECT_EQ(sizeof(T), elementSize(type)) << "element type mismatch";
    EXPECT_EQ(static_cast<int64_t>(values.size()), t.ref.count())
        << "value count does not match the dims";
    std::memcpy(t.ref.data, values.data(),
                std::min(values.size() * sizeof(T), t.ref.bytes()));
    return t;
  }
  static TestTensor f32(std::vector<int64_t> dims,
                        const std::vector<float> &values) {
    return of<float>(ElementType::f32, std::move(dims), values);
  }
  static TestTensor i64(std::vector<int64_t> dims,
                        const std::vector<int64_t> &values) {
    return of<int64_t>(ElementType::i64, std::move(dims), values);
  }
  static TestTensor i32(std::vector<int64_t> dims,
                        const std::vector<int32_t> &values) {
    return of<int32_t>(ElementType::i32, std::move(dims), values);
  }
  /// f32 values uniform in [lo, hi), the same for the same seed.
  static TestTensor random(std::vector<int64_t> dims, unsigned seed,
                           float lo = -1.0f, float hi = 1.0f) {
    TestTensor t(ElementType::f32, std::move(dims));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    float *p = t.ref.as<float>();
    for (int64_t i = 0; i < t.ref.count(); ++i)
      p[i] = dist(rng);
    return t;
  }

  /// The elements as T (T must match the element type's size).
  template <typename T> std::vector<T> values() const {
    EXPECT_EQ(sizeof(T), elementSize(ref.type)) << "element type mismatch";
    std::vector<T> result(ref.count());
    std::memcpy(result.data(), ref.data,
                std::min(result.size() * sizeof(T), ref.bytes()));
    return result;
  }
  std::vector<float> floats() const { return values<float>(); }

  TensorRef ref;

private:
  std::vector<uint64_t> storage;
};

/// One format::Op in a FlatBuffer of its own. `makeParams(builder)` returns
/// the Offset of the op's params table (format::CreateConvParams(b, ...));
/// the union type follows from it. `inputs` / `outputs` fill the op's
/// operand index lists (kernels read their operands from KernelArgs; these
/// only matter to code that reads op->inputs()).
class TestOp {
public:
  template <typename MakeParams>
  explicit TestOp(MakeParams makeParams, const std::string &name = "test",
                  const std::vector<int32_t> &inputs = {},
                  const std::vector<int32_t> &outputs = {}) {
    auto params = makeParams(builder);
    using ParamsT = typename ParamsOf<decltype(params)>::type;
    auto op = format::CreateOp(
        builder, builder.CreateString(name),
        format::OpParamsTraits<ParamsT>::enum_value, params.Union(),
        builder.CreateVector(inputs), builder.CreateVector(outputs));
    builder.Finish(op);
  }

  const format::Op *op() const {
    return flatbuffers::GetRoot<format::Op>(builder.GetBufferPointer());
  }

private:
  template <typename T> struct ParamsOf;
  template <typename T> struct ParamsOf<flatbuffers::Offset<T>> {
    using type = T;
  };
  flatbuffers::FlatBufferBuilder builder;
};

/// KernelArgs over tensors the caller keeps alive (and `exprs`, the values
/// of the model's expressions, for Pad, Slice and ShapeValues). A nullptr
/// input is an optional operand left out.
inline KernelArgs makeArgs(const TestOp &op,
                           const std::vector<TestTensor *> &inputs,
                           std::vector<TestTensor> &outputs,
                           const std::vector<int64_t> &exprs) {
  KernelArgs args;
  args.op = op.op();
  // Operands stay as they are during a test: constant, like weights.
  for (TestTensor *t : inputs) {
    if (t)
      t->ref.constant = true;
    args.inputs.push_back(t ? &t->ref : nullptr);
  }
  for (TestTensor &t : outputs)
    args.outputs.push_back(&t.ref);
  args.exprValues = &exprs;
  return args;
}

/// Makes the kernel with `factory`, runs it once and returns the outputs.
/// Factory errors (rt::Error) propagate. A factory that gives no kernel
/// (a backend's nullptr) is a test failure; the outputs come back unchanged.
inline std::vector<TestTensor>
runKernel(KernelFactory factory, const TestOp &op,
          const std::vector<TestTensor *> &inputs,
          std::vector<TestTensor> outputs,
          const std::vector<int64_t> &exprs = {}) {
  KernelArgs args = makeArgs(op, inputs, outputs, exprs);
  std::unique_ptr<Kernel> kernel = factory(args);
  if (!kernel) {
    ADD_FAILURE() << "no kernel for " << args.describe();
    return outputs;
  }
  kernel->run(args);
  return outputs;
}

/// runKernel with the reference kernels.
inline std::vector<TestTensor>
runReference(const TestOp &op, const std::vector<TestTensor *> &inputs,
             std::vector<TestTensor> outputs,
             const std::vector<int64_t> &exprs = {}) {
  return runKernel(makeReferenceKernel, op, inputs, std::move(outputs),
                   exprs);
}

/// Expects equal sizes and |a[i] - b[i]| <= tol * max(1, |b[i]|) everywhere
/// (NaNs must match); reports the first few mismatches.
inline void expectNear(const std::vector<float> &a,
                       const std::vector<float> &b, float tol = 1e-5f) {
  ASSERT_EQ(a.size(), b.size());
  int reported = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    bool ok = std::isnan(b[i]) ? std::isnan(a[i])
              : a[i] == b[i] // Infinities.
                  ? true
                  : std::fabs(a[i] - b[i]) <=
                        tol * std::max(1.0f, std::fabs(b[i]));
    if (!ok && reported++ < 8)
      ADD_FAILURE() << "element " << i << ": " << a[i] << " vs " << b[i]
                    << " (tol " << tol << ")";
  }
}

/// Makes a flatbuffers vector (for params fields) from a braced list.
template <typename T>
flatbuffers::Offset<flatbuffers::Vector<T>>
vec(flatbuffers::FlatBufferBuilder &b, const std::vector<T> &values) {
  return b.CreateVector(values);
}

} // namespace mlc::rt::test

#endif // MLC_TEST_RUNTIME_KERNELTESTUTILS_H
