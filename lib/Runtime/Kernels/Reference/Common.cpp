//===- Common.cpp - Checks the reference kernels share --------------------===//

#include "Reference.h"

#include <cstdlib>

namespace mlc::rt::ref {

void checkOperands(const KernelArgs &args, size_t required, size_t total,
                   size_t outputs) {
  if (args.inputs.size() < required || args.inputs.size() > total)
    args.fail("expected " +
              (required == total ? std::to_string(required)
                                 : std::to_string(required) + " to " +
                                       std::to_string(total)) +
              " inputs, got " + std::to_string(args.inputs.size()));
  for (size_t i = 0; i < required; ++i)
    if (!args.inputs[i])
      args.fail("input " + std::to_string(i) + " is required");
  if (args.outputs.size() != outputs)
    args.fail("expected " + std::to_string(outputs) + " outputs, got " +
              std::to_string(args.outputs.size()));
  for (size_t i = 0; i < outputs; ++i)
    if (!args.outputs[i])
      args.fail("output " + std::to_string(i) + " is missing");
}

void checkType(const KernelArgs &args, const TensorRef &t, ElementType type,
               const char *what) {
  if (t.type != type)
    args.fail(std::string(what) + " has element type " +
              elementTypeName(t.type) + ", expected " +
              elementTypeName(type));
}

void checkRank(const KernelArgs &args, const TensorRef &t, size_t rank,
               const char *what) {
  if (t.rank() != rank)
    args.fail(std::string(what) + " has rank " + std::to_string(t.rank()) +
              ", expected " + std::to_string(rank));
}

void checkDims(const KernelArgs &args, const TensorRef &t,
               const std::vector<int64_t> &dims, const char *what) {
  if (t.dims != dims)
    args.fail(std::string(what) + " dims " + formatShape(t.dims) +
              ", expected " + formatShape(dims));
}

void checkScalar(const KernelArgs &args, const TensorRef &t,
                 const char *what) {
  if (t.count() != 1)
    args.fail(std::string(what) + " must have one element, has dims " +
              formatShape(t.dims));
}

int64_t normalizeAxis(const KernelArgs &args, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    args.fail("axis " + std::to_string(axis) + " out of range for rank " +
              std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

int64_t checkParam(const KernelArgs &args, int64_t value, const char *what) {
  if (value > kMaxParam || value < -kMaxParam)
    args.fail(std::string(what) + " value " + std::to_string(value) +
              " is out of range");
  return value;
}

int64_t exprValue(const KernelArgs &args, uint32_t index) {
  if (!args.exprValues || index >= args.exprValues->size())
    args.fail("expression index " + std::to_string(index) + " out of range");
  return args.expr(index);
}

std::vector<int64_t> broadcastShapes(const KernelArgs &args,
                                     const std::vector<int64_t> &a,
                                     const std::vector<int64_t> &b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      args.fail("shapes " + formatShape(a) + " and " + formatShape(b) +
                " do not broadcast");
    result[i] = da == 1 ? db : da;
  }
  return result;
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims) {
  std::vector<int64_t> strides(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &dims,
                                      const std::vector<int64_t> &outDims) {
  std::vector<int64_t> own = stridesOf(dims);
  std::vector<int64_t> result(outDims.size(), 0);
  size_t offset = outDims.size() - dims.size();
  for (size_t i = 0; i < dims.size(); ++i)
    result[offset + i] = dims[i] == 1 ? 0 : own[i];
  return result;
}

bool broadcastsTo(const std::vector<int64_t> &dims,
                  const std::vector<int64_t> &outDims) {
  if (dims.size() > outDims.size())
    return false;
  size_t offset = outDims.size() - dims.size();
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] != 1 && dims[i] != outDims[offset + i])
      return false;
  return true;
}

} // namespace mlc::rt::ref

namespace mlc::rt::ref {

Window makeWindow(const KernelArgs &args, const std::vector<int64_t> &inDims,
                  const std::vector<int64_t> &kernel,
                  const flatbuffers::Vector<int64_t> *stridesParam,
                  const flatbuffers::Vector<int64_t> *dilationsParam,
                  const flatbuffers::Vector<int64_t> *padsParam,
                  format::AutoPad autoPad) {
  size_t n = inDims.size();
  if (n < 1 || n > 3)
    args.fail("only 1 to 3 spatial dims are supported, got " + std::to_string(n));
  std::vector<int64_t> strides = paramArray(args, stridesParam, "strides");
  std::vector<int64_t> dilations = paramArray(args, dilationsParam, "dilations");
  std::vector<int64_t> pads = paramArray(args, padsParam, "pads");
  if (strides.empty())
    strides.assign(n, 1);
  if (dilations.empty())
    dilations.assign(n, 1);
  if (strides.size() != n || dilations.size() != n)
    args.fail("strides and dilations need one value per spatial dim");
  if (!pads.empty() && pads.size() != 2 * n)
    args.fail("pads need two values per spatial dim");
  for (size_t i = 0; i < n; ++i) {
    if (strides[i] < 1 || dilations[i] < 1)
      args.fail("strides and dilations must be >= 1");
    if (kernel[i] < 1 || kernel[i] > kMaxParam)
      args.fail("kernel sizes must be >= 1");
  }
  for (int64_t p : pads)
    if (p < 0)
      args.fail("pads must be >= 0");
  if (autoPad > format::AutoPad::MAX)
    args.fail("unknown auto_pad");
  pads = resolvePads(autoPad, inDims, kernel, strides, dilations, pads);
  Window w;
  size_t off = 3 - n;
  for (size_t i = 0; i < n; ++i) {
    w.in[off + i] = inDims[i];
    w.k[off + i] = kernel[i];
    w.s[off + i] = strides[i];
    w.d[off + i] = dilations[i];
    w.pb[off + i] = pads[i];
    w.pe[off + i] = pads[n + i];
  }
  return w;
}

} // namespace mlc::rt::ref
