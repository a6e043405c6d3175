//===- ShapeSpec.cpp - The sizes --shapes asks for ------------------------===//

#include "mlc/Merge/Merge.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;

// A positive size, or an error naming the text.
static bool parseSize(StringRef text, int64_t &value, std::string &error) {
  text = text.trim();
  if (text.empty() || text.getAsInteger(10, value)) {
    error = "'" + text.str() + "' is not a size";
    return false;
  }
  if (value < 1) {
    error = "sizes must be positive, got " + std::to_string(value);
    return false;
  }
  return true;
}

std::optional<ShapeSpec> ShapeSpec::parse(StringRef text, std::string &error) {
  ShapeSpec spec;
  text = text.trim();
  if (text.empty()) {
    error = "no sizes given";
    return std::nullopt;
  }
  if (text.contains("..")) {
    if (text.contains(',')) {
      error = "a range cannot be listed with other sizes: '" + text.str() + "'";
      return std::nullopt;
    }
    for (StringRef dim : llvm::split(text, 'x')) {
      dim = dim.trim();
      // "(224..448:32)", as mlc writes ranges, reads too.
      if (dim.consume_front("("))
        dim.consume_back(")");
      auto [range, stepText] = dim.split(':');
      auto [minText, maxText] = range.split("..");
      int64_t min, max, step = 1;
      if (!parseSize(minText, min, error))
        return std::nullopt;
      max = min;
      if (range.contains("..") && !parseSize(maxText, max, error))
        return std::nullopt;
      if (dim.contains(':') && !parseSize(stepText, step, error))
        return std::nullopt;
      if (min > max) {
        error = "the range " + std::to_string(min) + ".." +
                std::to_string(max) + " has its minimum above its maximum";
        return std::nullopt;
      }
      spec.mins.push_back(min), spec.maxs.push_back(max),
          spec.steps.push_back(step);
    }
    spec.range = true;
    spec.square = spec.mins.size() == 1;
    return spec;
  }
  for (StringRef item : llvm::split(text, ',')) {
    std::vector<int64_t> shape;
    for (StringRef dim : llvm::split(item, 'x')) {
      int64_t size;
      if (!parseSize(dim, size, error))
        return std::nullopt;
      shape.push_back(size);
    }
    if (llvm::is_contained(spec.shapes, shape)) {
      error = "lists " + item.trim().str() + " twice";
      return std::nullopt;
    }
    spec.shapes.push_back(shape);
  }
  spec.square = llvm::all_of(spec.shapes, [](const std::vector<int64_t> &s) {
    return s.size() == 1;
  });
  return spec;
}

// Which dims a size of `count` dims names: the last spatial ones (a square
// size names the last two: H and W of NCHW and of NHWC), or every dim; else
// the last ones.
bool ShapeSpec::placeSize(size_t count, int64_t rank, ArrayRef<int64_t> spatial,
                          SmallVectorImpl<int64_t> &dims, std::string &error) {
  dims.clear();
  size_t named = count == 1 ? 2 : count;
  if (named <= spatial.size() && int64_t(count) != rank) {
    dims.append(spatial.end() - named, spatial.end());
    return true;
  }
  if (count == 1 && rank >= 2) {
    dims.append({rank - 2, rank - 1});
    return true;
  }
  if (int64_t(count) > rank) {
    error = "a size of " + std::to_string(count) +
            " dims does not fit the input's rank " + std::to_string(rank);
    return false;
  }
  for (int64_t d = rank - count; d < rank; ++d)
    dims.push_back(d);
  return true;
}

SmallVector<int64_t> ShapeSpec::namedDims(int64_t rank,
                                          ArrayRef<int64_t> spatial,
                                          std::string &error) const {
  SmallVector<int64_t> all, dims;
  SmallVector<size_t> counts;
  if (range)
    counts.push_back(mins.size());
  for (const auto &shape : shapes)
    counts.push_back(shape.size());
  for (size_t count : counts) {
    if (!placeSize(count, rank, spatial, dims, error))
      return {};
    for (int64_t d : dims)
      if (!llvm::is_contained(all, d))
        all.push_back(d);
  }
  llvm::sort(all);
  return all;
}

ShapeSetAttr ShapeSpec::resolve(MLIRContext *context,
                                ArrayRef<int64_t> defaultShape,
                                ArrayRef<int64_t> spatial,
                                std::string &error) const {
  int64_t rank = defaultShape.size();
  auto place = [&](size_t count, SmallVectorImpl<int64_t> &dims) {
    return placeSize(count, rank, spatial, dims, error);
  };
  SmallVector<int64_t> dims;
  if (range) {
    if (!place(mins.size(), dims))
      return nullptr;
    SmallVector<int64_t> lo(defaultShape), hi(defaultShape), step(rank, 1);
    for (auto [i, d] : llvm::enumerate(dims)) {
      size_t j = square ? 0 : i;
      lo[d] = mins[j], hi[d] = maxs[j], step[d] = steps[j];
    }
    return ShapeSetAttr::get(context, lo, hi, step);
  }
  SmallVector<SmallVector<int64_t>> resolved;
  for (const auto &shape : shapes) {
    if (!place(shape.size(), dims))
      return nullptr;
    SmallVector<int64_t> full(defaultShape);
    for (auto [i, d] : llvm::enumerate(dims))
      full[d] = shape[shape.size() == 1 ? 0 : i];
    if (llvm::is_contained(resolved, full)) {
      error = "lists the shape " +
              llvm::join(llvm::map_range(full, [](int64_t d) {
                           return std::to_string(d);
                         }),
                         "x") +
              " twice";
      return nullptr;
    }
    resolved.push_back(full);
  }
  return ShapeSetAttr::get(context, resolved);
}
