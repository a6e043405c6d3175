//===- TensorOps.cpp - Shape functions of layout and resampling ops -------===//
//
// resize, depth_to_space, space_to_depth, pad, reshape, flatten, transpose,
// squeeze, unsqueeze, concat, split, expand.
//
//===----------------------------------------------------------------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "OpHelpers.h"

#include <cmath>

using namespace mlir;
using namespace mlc::nn;

static int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (d == kDynamic)
      return kDynamic;
    p *= d;
  }
  return p;
}

// An optional shape operand given as an empty tensor counts as absent: some
// exporters pass `[]` for Resize's unused scales.
static bool isPresent(Value value) {
  if (!value)
    return false;
  auto dims = getDims(value.getType());
  return !(dims && dims->size() == 1 && (*dims)[0] == 0);
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  bool hasScales = isPresent(getScales()), hasSizes = isPresent(getSizes());
  if (hasScales == hasSizes)
    return emitOpError() << "needs exactly one of scales and sizes";
  auto in = getDims(getInput().getType());
  if (!in)
    return pushType(types, std::nullopt, elementType);
  int64_t rank = in->size();
  // The dims that are resized: `axes`, or all of them.
  SmallVector<int64_t> axes;
  for (int64_t axis : getAxes()) {
    auto normalized = normalizeAxis(axis, rank);
    if (!normalized)
      return emitOpError() << "axis " << axis << " is out of range for "
                           << formatDims(*in);
    axes.push_back(*normalized);
  }
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  SmallVector<int64_t> dims = *in;
  auto checkCount = [&](size_t count, StringRef what) -> LogicalResult {
    if (count == axes.size())
      return success();
    return emitOpError() << what << " has " << count << " values for "
                         << axes.size() << " resized dims";
  };
  if (hasScales) {
    auto scales = getConstantFloats(getScales());
    if (!scales) {
      for (int64_t axis : axes)
        dims[axis] = kDynamic;
      return pushType(types, ArrayRef<int64_t>(dims), elementType);
    }
    if (failed(checkCount(scales->size(), "scales")))
      return failure();
    for (auto [axis, scale] : llvm::zip(axes, *scales)) {
      if (!(scale > 0))
        return emitOpError() << "scales must be positive, got " << scale;
      // In single precision, as runtimes compute it.
      if (dims[axis] != kDynamic)
        dims[axis] = int64_t(std::floor(float(dims[axis]) * float(scale)));
    }
    return pushType(types, ArrayRef<int64_t>(dims), elementType);
  }
  auto sizes = getPartialInts(getSizes());
  if (!sizes) {
    for (int64_t axis : axes)
      dims[axis] = kDynamic;
    return pushType(types, ArrayRef<int64_t>(dims), elementType);
  }
  if (failed(checkCount(sizes->size(), "sizes")))
    return failure();
  for (int64_t size : *sizes)
    if (size != kDynamic && size < 0)
      return emitOpError() << "sizes must not be negative, got " << size;
  AspectRatioPolicy policy = getKeepAspectRatioPolicy();
  if (policy == AspectRatioPolicy::stretch) {
    for (auto [axis, size] : llvm::zip(axes, *sizes))
      dims[axis] = size;
    return pushType(types, ArrayRef<int64_t>(dims), elementType);
  }
  // One scale for all resized dims, the smallest or largest of the ratios.
  std::optional<double> scale;
  for (auto [axis, size] : llvm::zip(axes, *sizes)) {
    if (size == kDynamic || (*in)[axis] == kDynamic) {
      scale.reset();
      break;
    }
    double ratio = double(size) / double((*in)[axis]);
    if (!scale || (policy == AspectRatioPolicy::not_larger ? ratio < *scale
                                                           : ratio > *scale))
      scale = ratio;
  }
  for (int64_t axis : axes)
    dims[axis] = scale ? int64_t(std::floor(*scale * (*in)[axis] + 0.5))
                       : kDynamic;
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

//===----------------------------------------------------------------------===//
// depth_to_space, space_to_depth
//===----------------------------------------------------------------------===//

// Shared by both directions: `toSpace` moves channels into blocks.
static LogicalResult inferBlockShuffle(Operation *op, Value input,
                                       int64_t block, bool toSpace,
                                       SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(input.getType());
  if (block < 1)
    return op->emitOpError() << "blocksize must be positive, got " << block;
  auto in = getDims(input.getType());
  if (!in)
    return pushType(types, SmallVector<int64_t>(4, kDynamic), elementType);
  if (in->size() != 4)
    return op->emitOpError() << "needs a 4-D input, got " << formatDims(*in);
  SmallVector<int64_t> dims = *in;
  int64_t area = block * block;
  auto scale = [](int64_t d, int64_t by, bool multiply) {
    return d == kDynamic ? kDynamic : multiply ? d * by : d / by;
  };
  int64_t divided = toSpace ? 1 : 2; // the dims that must divide by a block
  for (int64_t i = divided; i < (toSpace ? 2 : 4); ++i) {
    int64_t by = toSpace ? area : block;
    if (dims[i] != kDynamic && dims[i] % by != 0)
      return op->emitOpError() << "dim " << i << " of " << formatDims(*in)
                               << " does not divide by " << by;
  }
  if (toSpace) {
    dims[1] = scale(dims[1], area, false);
    dims[2] = scale(dims[2], block, true);
    dims[3] = scale(dims[3], block, true);
  } else {
    dims[1] = scale(dims[1], area, true);
    dims[2] = scale(dims[2], block, false);
    dims[3] = scale(dims[3], block, false);
  }
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

LogicalResult DepthToSpaceOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferBlockShuffle(*this, getInput(), getBlocksize(), true, types);
}

LogicalResult SpaceToDepthOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferBlockShuffle(*this, getInput(), getBlocksize(), false, types);
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  if (Value value = getConstantValue())
    if (getElementType(value.getType()) != elementType)
      return emitOpError() << "constant_value " << value.getType()
                           << " does not match the input's element type";
  auto in = getDims(getInput().getType());
  if (!in)
    return pushType(types, std::nullopt, elementType);
  int64_t rank = in->size();
  SmallVector<int64_t> axes;
  if (Value axesValue = getAxes()) {
    auto given = getConstantInts(axesValue);
    if (!given)
      return pushType(types, SmallVector<int64_t>(rank, kDynamic), elementType);
    for (int64_t axis : *given) {
      auto normalized = normalizeAxis(axis, rank);
      if (!normalized)
        return emitOpError() << "axis " << axis << " is out of range for "
                             << formatDims(*in);
      axes.push_back(*normalized);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  SmallVector<int64_t> dims = *in;
  auto pads = getPartialInts(getPads());
  if (!pads) {
    for (int64_t axis : axes)
      dims[axis] = kDynamic;
    return pushType(types, ArrayRef<int64_t>(dims), elementType);
  }
  int64_t n = axes.size();
  if (int64_t(pads->size()) != 2 * n)
    return emitOpError() << "pads has " << pads->size() << " values for "
                         << n << " padded dims";
  for (int64_t i = 0; i < n; ++i) {
    int64_t begin = (*pads)[i], end = (*pads)[i + n], &d = dims[axes[i]];
    if (d == kDynamic || begin == kDynamic || end == kDynamic) {
      d = kDynamic;
      continue;
    }
    d += begin + end;
    if (d < 0)
      return emitOpError() << "pads crop dim " << axes[i] << " of "
                           << formatDims(*in) << " below zero";
  }
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

//===----------------------------------------------------------------------===//
// reshape, flatten, transpose, squeeze, unsqueeze
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto target = getPartialInts(getShape());
  if (!target)
    return pushType(types, std::nullopt, elementType);
  auto in = getDims(getInput().getType());
  SmallVector<int64_t> dims;
  int64_t inferred = -1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !getAllowzero()) {
      if (in && i >= in->size())
        return emitOpError() << "shape entry " << i << " copies a dim the "
                             << formatDims(*in) << " input does not have";
      dims.push_back(in ? (*in)[i] : kDynamic);
    } else if (d == -1) {
      if (inferred >= 0)
        return emitOpError() << "shape has more than one -1";
      inferred = i;
      dims.push_back(kDynamic);
    } else if (d < -1 && d != kDynamic) {
      return emitOpError() << "shape entry " << i << " is " << d;
    } else {
      dims.push_back(d);
    }
  }
  int64_t total = in ? product(*in) : kDynamic;
  if (inferred >= 0) {
    dims[inferred] = 1;
    int64_t rest = product(dims);
    dims[inferred] = kDynamic;
    if (total != kDynamic && rest != kDynamic) {
      if (rest == 0 || total % rest != 0)
        return emitOpError() << "cannot reshape " << formatDims(*in) << " to "
                             << formatDims(dims) << ": " << total
                             << " elements do not divide by " << rest;
      dims[inferred] = total / rest;
    }
  } else if (total != kDynamic && product(dims) != kDynamic &&
             product(dims) != total) {
    return emitOpError() << "cannot reshape " << formatDims(*in) << " ("
                         << total << " elements) to " << formatDims(dims);
  }
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

LogicalResult FlattenOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto in = getDims(getInput().getType());
  if (!in)
    return pushType(types, SmallVector<int64_t>(2, kDynamic), elementType);
  int64_t rank = in->size(), axis = getAxis();
  if (axis < -rank || axis > rank)
    return emitOpError() << "axis " << axis << " is out of range for "
                         << formatDims(*in);
  if (axis < 0)
    axis += rank;
  ArrayRef<int64_t> all(*in);
  SmallVector<int64_t> dims = {product(all.take_front(axis)),
                               product(all.drop_front(axis))};
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

LogicalResult TransposeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto in = getDims(getInput().getType());
  if (!in)
    return pushType(types, std::nullopt, elementType);
  int64_t rank = in->size();
  SmallVector<int64_t> perm;
  if (auto given = getPerm())
    perm.assign(given->begin(), given->end());
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<bool> seen(rank, false);
  if (int64_t(perm.size()) != rank)
    return emitOpError() << "perm has " << perm.size() << " entries for rank "
                         << rank;
  SmallVector<int64_t> dims;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return emitOpError() << "perm [" << formatList(perm)
                           << "] is not a permutation of the dims";
    seen[p] = true;
    dims.push_back((*in)[p]);
  }
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

LogicalResult SqueezeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto in = getDims(getInput().getType());
  std::optional<SmallVector<int64_t>> axes;
  if (isPresent(getAxes())) {
    axes = getConstantInts(getAxes());
    if (!axes)
      return pushType(types, std::nullopt, elementType);
  }
  if (!in)
    return pushType(types, std::nullopt, elementType);
  int64_t rank = in->size();
  SmallVector<bool> removed(rank, false);
  if (!axes) {
    // Every dim of size 1; an unknown dim might be one.
    if (llvm::is_contained(*in, kDynamic))
      return pushType(types, std::nullopt, elementType);
    for (int64_t i = 0; i < rank; ++i)
      removed[i] = (*in)[i] == 1;
  }
  for (int64_t axis : axes ? *axes : SmallVector<int64_t>()) {
    auto normalized = normalizeAxis(axis, rank);
    if (!normalized)
      return emitOpError() << "axis " << axis << " is out of range for "
                           << formatDims(*in);
    int64_t d = (*in)[*normalized];
    if (d != 1 && d != kDynamic)
      return emitOpError() << "cannot squeeze dim " << *normalized
                           << " of size " << d;
    removed[*normalized] = true;
  }
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i)
    if (!removed[i])
      dims.push_back((*in)[i]);
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

LogicalResult UnsqueezeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto in = getDims(getInput().getType());
  auto axes = getConstantInts(getAxes());
  if (!in)
    return pushType(types, std::nullopt, elementType);
  if (!axes) {
    auto axesDims = getDims(getAxes().getType());
    if (axesDims && axesDims->size() == 1 && (*axesDims)[0] != kDynamic)
      return pushType(types,
                      SmallVector<int64_t>(in->size() + (*axesDims)[0], kDynamic),
                      elementType);
    return pushType(types, std::nullopt, elementType);
  }
  int64_t rank = in->size() + axes->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : *axes) {
    auto normalized = normalizeAxis(axis, rank);
    if (!normalized || inserted[*normalized])
      return emitOpError() << "axes [" << formatList(*axes)
                           << "] are out of range or repeated for an output "
                              "of rank "
                           << rank;
    inserted[*normalized] = true;
  }
  SmallVector<int64_t> dims;
  for (int64_t i = 0, next = 0; i < rank; ++i)
    dims.push_back(inserted[i] ? 1 : (*in)[next++]);
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

//===----------------------------------------------------------------------===//
// concat, split, expand
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  Type elementType = getElementType(getInputs().front().getType());
  std::optional<SmallVector<int64_t>> dims;
  std::optional<int64_t> axis;
  int64_t axisTotal = 0;
  for (Value input : getInputs()) {
    if (getElementType(input.getType()) != elementType)
      return emitOpError() << "inputs have different element types: "
                           << getInputs().front().getType() << " and "
                           << input.getType();
    auto in = getDims(input.getType());
    if (!in) {
      axisTotal = kDynamic;
      continue;
    }
    if (!axis) {
      axis = normalizeAxis(getAxis(), in->size());
      if (!axis)
        return emitOpError() << "axis " << int64_t(getAxis())
                             << " is out of range for " << formatDims(*in);
      dims = *in;
    } else if (in->size() != dims->size()) {
      return emitOpError() << "inputs have different ranks: "
                           << formatDims(*dims) << " and " << formatDims(*in);
    }
    for (size_t i = 0; i < in->size(); ++i) {
      if (int64_t(i) == *axis)
        continue;
      int64_t &d = (*dims)[i], e = (*in)[i];
      if (d != kDynamic && e != kDynamic && d != e)
        return emitOpError() << "inputs differ in dim " << i << ": "
                             << formatDims(*dims) << " and " << formatDims(*in);
      if (d == kDynamic)
        d = e;
    }
    int64_t part = (*in)[*axis];
    axisTotal = axisTotal == kDynamic || part == kDynamic ? kDynamic
                                                          : axisTotal + part;
  }
  if (!dims)
    return pushType(types, std::nullopt, elementType);
  (*dims)[*axis] = axisTotal;
  return pushType(types, ArrayRef<int64_t>(*dims), elementType);
}

LogicalResult SplitOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  int64_t count = getNumResults();
  if (count == 0)
    return emitOpError() << "needs at least one result";
  auto in = getDims(getInput().getType());
  if (!in) {
    for (int64_t i = 0; i < count; ++i)
      pushType(types, std::nullopt, elementType);
    return success();
  }
  auto axis = normalizeAxis(getAxis(), in->size());
  if (!axis)
    return emitOpError() << "axis " << int64_t(getAxis())
                         << " is out of range for " << formatDims(*in);
  int64_t total = (*in)[*axis];
  SmallVector<int64_t> sizes;
  if (isPresent(getSplit())) {
    auto given = getConstantInts(getSplit());
    if (given) {
      if (int64_t(given->size()) != count)
        return emitOpError() << "split has " << given->size()
                             << " sizes for " << count << " results";
      int64_t sum = 0;
      for (int64_t s : *given) {
        if (s < 0)
          return emitOpError() << "split sizes must not be negative";
        sum += s;
      }
      if (total != kDynamic && sum != total)
        return emitOpError() << "split sizes add up to " << sum
                             << " but dim " << *axis << " is " << total;
      sizes = *given;
    } else {
      sizes.assign(count, kDynamic);
    }
  } else if (total == kDynamic) {
    sizes.assign(count, kDynamic);
  } else {
    // Equal parts; the last one is smaller when the dim does not divide.
    int64_t part = (total + count - 1) / count;
    if (part * (count - 1) >= total && count > 1)
      return emitOpError() << "cannot split dim " << *axis << " of size "
                           << total << " into " << count << " parts";
    sizes.assign(count, part);
    sizes.back() = total - part * (count - 1);
  }
  for (int64_t size : sizes) {
    SmallVector<int64_t> dims = *in;
    dims[*axis] = size;
    pushType(types, ArrayRef<int64_t>(dims), elementType);
  }
  return success();
}

LogicalResult ExpandOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto in = getDims(getInput().getType());
  auto shape = getPartialInts(getShape());
  if (!in || !shape)
    return pushType(types, std::nullopt, elementType);
  auto dims = broadcastDims(*in, *shape);
  if (!dims)
    return emitOpError() << "cannot expand " << formatDims(*in) << " to "
                         << formatDims(*shape);
  return pushType(types, ArrayRef<int64_t>(*dims), elementType);
}

//===----------------------------------------------------------------------===//
// Folders of the ops that shape computations use
//===----------------------------------------------------------------------===//

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!input || !isFoldable(getType()))
    return {};
  return input.reshape(cast<ShapedType>(getType()));
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (!isFoldable(getType()))
    return {};
  auto type = cast<RankedTensorType>(getType());
  int64_t axis = *normalizeAxis(getAxis(), type.getRank());
  ArrayRef<int64_t> dims = type.getShape();
  int64_t outer = product(dims.take_front(axis));
  SmallVector<SmallVector<Attribute>> inputs;
  SmallVector<int64_t> chunks; // elements of each input per outer index
  for (Attribute attr : adaptor.getInputs()) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
    if (!dense)
      return {};
    inputs.emplace_back(dense.getValues<Attribute>());
    chunks.push_back(dense.getNumElements() / std::max<int64_t>(outer, 1));
  }
  SmallVector<Attribute> values;
  values.reserve(type.getNumElements());
  for (int64_t o = 0; o < outer; ++o)
    for (auto [input, chunk] : llvm::zip(inputs, chunks))
      values.append(input.begin() + o * chunk, input.begin() + (o + 1) * chunk);
  return DenseElementsAttr::get(type, values);
}
