//===- Reference.h - The reference kernels' factories -----------*- C++ -*-===//
//
// One factory per op of the .mlc format, grouped in files by family, and the
// checks they share. Each factory validates its operands and parameters
// against the shapes (args.fail on any inconsistency) and returns a kernel
// that trusts them: it indexes without checking again.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LIB_RUNTIME_KERNELS_REFERENCE_REFERENCE_H
#define MLC_LIB_RUNTIME_KERNELS_REFERENCE_REFERENCE_H

#include "Kernel.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace mlc::rt::ref {

using KernelPtr = std::unique_ptr<Kernel>;

// Conv.cpp
KernelPtr makeConv(const KernelArgs &args);
KernelPtr makeConvTranspose(const KernelArgs &args);
// Pool.cpp
KernelPtr makePool(const KernelArgs &args);
KernelPtr makeGlobalPool(const KernelArgs &args);
// Norm.cpp
KernelPtr makeBatchNorm(const KernelArgs &args);
KernelPtr makeInstanceNorm(const KernelArgs &args);
// Elementwise.cpp
KernelPtr makeUnary(const KernelArgs &args);
KernelPtr makeBinary(const KernelArgs &args);
KernelPtr makeClip(const KernelArgs &args);
KernelPtr makePRelu(const KernelArgs &args);
KernelPtr makeSoftmax(const KernelArgs &args);
KernelPtr makeCompare(const KernelArgs &args);
KernelPtr makeNot(const KernelArgs &args);
KernelPtr makeWhere(const KernelArgs &args);
// Cast.cpp
KernelPtr makeCast(const KernelArgs &args);
KernelPtr makeQuantizeLinear(const KernelArgs &args);
KernelPtr makeDequantizeLinear(const KernelArgs &args);
KernelPtr makeRange(const KernelArgs &args);
// Linear.cpp
KernelPtr makeGemm(const KernelArgs &args);
KernelPtr makeMatMul(const KernelArgs &args);
KernelPtr makeReduce(const KernelArgs &args);
// Resize.cpp
KernelPtr makeResize(const KernelArgs &args);
// Layout.cpp
KernelPtr makeDepthToSpace(const KernelArgs &args);
KernelPtr makeSpaceToDepth(const KernelArgs &args);
KernelPtr makePad(const KernelArgs &args);
KernelPtr makeReshape(const KernelArgs &args);
KernelPtr makeTranspose(const KernelArgs &args);
KernelPtr makeConcat(const KernelArgs &args);
KernelPtr makeSplit(const KernelArgs &args);
KernelPtr makeSlice(const KernelArgs &args);
KernelPtr makeGather(const KernelArgs &args);
KernelPtr makeExpand(const KernelArgs &args);
KernelPtr makeScatterND(const KernelArgs &args);
KernelPtr makeFill(const KernelArgs &args);
KernelPtr makeShapeValues(const KernelArgs &args);

//===----------------------------------------------------------------------===//
// Checks the factories share (Common.cpp). Each calls args.fail on failure.
//===----------------------------------------------------------------------===//

/// Parameters larger than this in magnitude are refused, so that sums and
/// products of them and of dims cannot overflow int64.
constexpr int64_t kMaxParam = int64_t(1) << 30;

/// Between `required` and `total` inputs, the first `required` present;
/// exactly `outputs` outputs, all present.
void checkOperands(const KernelArgs &args, size_t required, size_t total,
                   size_t outputs);
/// The tensor has element type `type`.
void checkType(const KernelArgs &args, const TensorRef &t, ElementType type,
               const char *what);
/// The tensor has rank `rank`.
void checkRank(const KernelArgs &args, const TensorRef &t, size_t rank,
               const char *what);
/// The tensor's dims equal `dims` ("output dims 1x2, expected 1x3").
void checkDims(const KernelArgs &args, const TensorRef &t,
               const std::vector<int64_t> &dims, const char *what);
/// A one-element tensor.
void checkScalar(const KernelArgs &args, const TensorRef &t, const char *what);
/// axis in [-rank, rank) made non-negative.
int64_t normalizeAxis(const KernelArgs &args, int64_t axis, int64_t rank);
/// |value| <= kMaxParam.
int64_t checkParam(const KernelArgs &args, int64_t value, const char *what);
/// A params array as int64 (empty when absent); each |value| <= kMaxParam.
template <typename T>
std::vector<int64_t> paramArray(const KernelArgs &args,
                                const flatbuffers::Vector<T> *values,
                                const char *what) {
  std::vector<int64_t> result;
  if (values)
    for (T v : *values)
      result.push_back(checkParam(args, static_cast<int64_t>(v), what));
  return result;
}

/// Writes `value` converted to `type` (as Cast would) `count` times.
void storeScalar(ElementType type, void *dst, double value, int64_t count);

/// Calls fn(T()) with an unsigned integer type of `size` bytes (1, 2, 4 or
/// 8): data movement ops copy elements of any type as such integers.
template <typename Fn> void withElementSize(size_t size, Fn fn) {
  switch (size) {
  case 1: return fn(uint8_t());
  case 2: return fn(uint16_t());
  case 4: return fn(uint32_t());
  default: return fn(uint64_t());
  }
}
/// The spatial geometry of a windowed op (Conv, ConvTranspose, Pool) over
/// up to three spatial dims; fewer are padded in front with size-1 dims,
/// so one loop nest serves 1-D, 2-D and 3-D.
struct Window {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1},
          s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, pb[3] = {0, 0, 0},
          pe[3] = {0, 0, 0};
  int64_t inSize() const { return in[0] * in[1] * in[2]; }
  int64_t outSize() const { return out[0] * out[1] * out[2]; }
  int64_t kSize() const { return k[0] * k[1] * k[2]; }
};
/// Checks a windowed op's strides, dilations and pads (each absent or one
/// per spatial dim, pads begin..end; strides and dilations >= 1, pads >= 0)
/// and resolves auto_pad. Fills every field of `w` but `out`. `spatial` is
/// the number of spatial dims (1 to 3), `inDims` and `kernel` their sizes.
Window makeWindow(const KernelArgs &args, const std::vector<int64_t> &inDims,
                  const std::vector<int64_t> &kernel,
                  const flatbuffers::Vector<int64_t> *strides,
                  const flatbuffers::Vector<int64_t> *dilations,
                  const flatbuffers::Vector<int64_t> *pads,
                  format::AutoPad autoPad);
/// Taps kk in [lo, hi) of a k-tap window with dilation d starting at
/// `start` that land in [0, size).
inline void tapRange(int64_t start, int64_t size, int64_t k, int64_t d,
                     int64_t &lo, int64_t &hi) {
  lo = start >= 0 ? 0 : (-start + d - 1) / d;
  hi = start >= size ? 0 : std::min(k, (size - 1 - start) / d + 1);
  if (hi < lo)
    hi = lo;
}
/// The value of expression `index` at this plan.
int64_t exprValue(const KernelArgs &args, uint32_t index);

/// Numpy broadcast of two shapes; fails when they do not broadcast.
std::vector<int64_t> broadcastShapes(const KernelArgs &args,
                                     const std::vector<int64_t> &a,
                                     const std::vector<int64_t> &b);
/// Row-major strides (in elements) of `dims`.
std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims);
/// Strides of `dims` seen as broadcast to `outDims` (right-aligned; 0 where
/// a dim is broadcast). `dims` must broadcast to `outDims`.
std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &dims,
                                      const std::vector<int64_t> &outDims);
/// Whether `dims` broadcasts to exactly `outDims`.
bool broadcastsTo(const std::vector<int64_t> &dims,
                  const std::vector<int64_t> &outDims);

/// Calls fn(outIndex, offsets...) for every element of `outDims`, where each
/// offset is the element's position in an operand with the given strides.
/// Walks the innermost dim in a tight loop.
template <size_t N, typename Fn>
void forEachIndex(const std::vector<int64_t> &outDims,
                  const std::vector<int64_t> (&strides)[N], Fn fn) {
  size_t rank = outDims.size();
  int64_t total = 1;
  for (int64_t d : outDims)
    total *= d;
  if (total == 0)
    return;
  if (rank == 0) {
    int64_t offsets[N] = {};
    fn(int64_t(0), offsets);
    return;
  }
  int64_t inner = outDims[rank - 1];
  int64_t innerStride[N];
  for (size_t k = 0; k < N; ++k)
    innerStride[k] = strides[k][rank - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t base[N] = {};
  for (int64_t out = 0; out < total; out += inner) {
    int64_t offsets[N];
    for (int64_t i = 0; i < inner; ++i) {
      for (size_t k = 0; k < N; ++k)
        offsets[k] = base[k] + i * innerStride[k];
      fn(out + i, offsets);
    }
    // Advance the outer index (dims rank-2 .. 0) like an odometer.
    for (size_t d = rank - 1; d-- > 0;) {
      ++index[d];
      for (size_t k = 0; k < N; ++k)
        base[k] += strides[k][d];
      if (index[d] < outDims[d])
        break;
      for (size_t k = 0; k < N; ++k)
        base[k] -= strides[k][d] * outDims[d];
      index[d] = 0;
    }
  }
}

} // namespace mlc::rt::ref

#endif // MLC_LIB_RUNTIME_KERNELS_REFERENCE_REFERENCE_H
