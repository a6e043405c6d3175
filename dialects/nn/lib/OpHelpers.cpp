//===- OpHelpers.cpp - What the nn ops' shape functions share -------------===//

#include "OpHelpers.h"

using namespace mlir;
using namespace mlc::nn;

FailureOr<Dims> mlc::nn::broadcast(ShapeContext &context, ArrayRef<Dim> a,
                                   ArrayRef<Dim> b,
                                   ShapeContext::Reason reason) {
  size_t rank = std::max(a.size(), b.size());
  Dim one = context.dim(1);
  Dims out(rank);
  for (size_t i = 0; i < rank; ++i) {
    Dim x = i < rank - a.size() ? one : a[i - (rank - a.size())];
    Dim y = i < rank - b.size() ? one : b[i - (rank - b.size())];
    // A 1 stretches; an unknown dim takes the other's size (else the graph
    // is wrong, which is not for shape inference to tell).
    if (x.isConstant(1) || (x.isUnknown() && !y.isConstant(1))) {
      out[i] = y;
      continue;
    }
    if (y.isConstant(1) || y.isUnknown()) {
      out[i] = x;
      continue;
    }
    if (failed(context.requireEqual(x, y, [&] {
          if (reason)
            return reason();
          return "cannot broadcast " + context.format(a) + " and " +
                 context.format(b);
        })))
      return failure();
    out[i] = x;
  }
  return out;
}

FailureOr<Dims> mlc::nn::inferWindowOutput(ShapeContext &context,
                                           ArrayRef<Dim> spatialDims,
                                           const Window &window) {
  size_t n = window.kernel.size();
  auto reason = [&] {
    std::string message = "kernel " + formatDims(window.kernel) +
                          " does not fit the " + context.format(spatialDims) +
                          " input";
    if (llvm::any_of(window.pads, [](int64_t p) { return p != 0; }))
      message += " with pads [" + formatList(window.pads) + "]";
    if (llvm::any_of(window.dilations, [](int64_t d) { return d != 1; }))
      message += " at dilations " + formatDims(window.dilations);
    return message;
  };
  Dims out;
  for (size_t i = 0; i < n; ++i) {
    Dim in = spatialDims[i];
    int64_t kernel = window.kernel[i], stride = window.strides[i];
    if (kernel == kDynamic) {
      out.push_back(Dim());
      continue;
    }
    int64_t span = window.dilations[i] * (kernel - 1) + 1;
    int64_t padBegin = window.pads[i], padEnd = window.pads[i + n];
    Dim size;
    switch (window.autoPad) {
    case AutoPad::same_upper:
    case AutoPad::same_lower:
      size = in.ceilDiv(stride);
      break;
    case AutoPad::valid:
      padBegin = padEnd = 0;
      [[fallthrough]];
    case AutoPad::notset: {
      Dim room = in + (padBegin + padEnd - span);
      if (failed(context.requireAtLeast(room, 0, reason)))
        return failure();
      if (!window.ceilMode) {
        size = room.floorDiv(stride) + 1;
        break;
      }
      size = room.ceilDiv(stride) + 1;
      // With ceil_mode the last window must start inside the input or its
      // begin padding. That can only fail when a stride outruns the window.
      if (stride > span - padEnd) {
        std::optional<int64_t> known = in.getValue();
        std::optional<int64_t> value = size.getValue();
        if (!known || !value)
          size = Dim();
        else if ((*value - 1) * stride >= *known + padBegin)
          size = context.dim(*value - 1);
      }
      break;
    }
    }
    if (failed(context.requireAtLeast(size, 1, reason)))
      return failure();
    out.push_back(size);
  }
  return out;
}

FailureOr<int64_t> mlc::nn::resolveAxis(ShapeContext &context, int64_t axis,
                                    ArrayRef<Dim> dims) {
  if (std::optional<int64_t> normalized = normalizeAxis(axis, dims.size()))
    return *normalized;
  return context.emitError() << "axis " << axis << " is out of range for "
                             << context.format(dims);
}
