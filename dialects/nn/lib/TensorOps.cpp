//===- TensorOps.cpp - Shape functions of layout and resampling ops -------===//
//
// resize, depth_to_space, space_to_depth, pad, reshape, flatten, transpose,
// squeeze, unsqueeze, concat, split, expand.
//
//===----------------------------------------------------------------------===//

#include "OpHelpers.h"
#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Runtime/CustomLayer.h"

#include <cmath>

using namespace mlir;
using namespace mlc::nn;

// An optional shape operand given as an empty tensor counts as absent: some
// exporters pass `[]` for Resize's unused scales.
static bool isPresent(Value value) {
  if (!value)
    return false;
  auto dims = getDims(value.getType());
  return !(dims && dims->size() == 1 && (*dims)[0] == 0);
}

// Normalizes `axes` for a tensor of `dims`; an error names the bad one.
static FailureOr<SmallVector<int64_t>>
resolveAxes(ShapeContext &context, ArrayRef<int64_t> axes, ArrayRef<Dim> dims) {
  SmallVector<int64_t> out;
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = resolveAxis(context, axis, dims);
    if (failed(normalized))
      return failure();
    out.push_back(*normalized);
  }
  return out;
}

// The entries of a shape computation pass through ops that only change how
// they are laid out (unsqueeze, squeeze, reshape of a vector).
static void forwardValues(ShapeContext &context, Value input) {
  if (auto values = context.getValues(input))
    context.setResultValues(0, *values);
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

// `in * scale` rounded down, as runtimes compute it: in single precision for
// a known size; as the exact fraction the float is for an expression.
static Dim scaleDim(ShapeContext &context, Dim in, double scale) {
  if (std::optional<int64_t> known = in.getValue())
    return context.dim(int64_t(std::floor(float(*known) * float(scale))));
  int exponent;
  double mantissa = std::frexp(float(scale), &exponent);
  // scale = numerator / 2^shift exactly, with a 24-bit numerator.
  int64_t numerator = int64_t(std::ldexp(mantissa, 24));
  int shift = 24 - exponent;
  while (shift > 0 && numerator % 2 == 0) {
    numerator /= 2;
    --shift;
  }
  if (shift < 0)
    return in * (numerator << -shift);
  return (in * numerator).floorDiv(int64_t(1) << shift);
}

LogicalResult ResizeOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  bool hasScales = isPresent(getScales()), hasSizes = isPresent(getSizes());
  if (hasScales == hasSizes)
    return emitOpError() << "needs exactly one of scales and sizes";
  auto in = context.getDims(getInput());
  if (!in)
    return context.setResult(0, std::nullopt, elementType);
  int64_t rank = in->size();
  // The dims that are resized: `axes`, or all of them.
  FailureOr<SmallVector<int64_t>> axes = resolveAxes(context, getAxes(), *in);
  if (failed(axes))
    return failure();
  if (axes->empty())
    for (int64_t i = 0; i < rank; ++i)
      axes->push_back(i);
  Dims dims = *in;
  auto checkCount = [&](size_t count, StringRef what) -> LogicalResult {
    if (count == axes->size())
      return success();
    return emitOpError() << what << " has " << count << " values for "
                         << axes->size() << " resized dims";
  };
  if (hasScales) {
    auto scales = context.getFloats(getScales());
    if (!scales) {
      for (int64_t axis : *axes)
        dims[axis] = Dim();
      return context.setResult(0, ArrayRef<Dim>(dims), elementType);
    }
    if (failed(checkCount(scales->size(), "scales")))
      return failure();
    for (auto [axis, scale] : llvm::zip(*axes, *scales)) {
      if (!(scale > 0))
        return emitOpError() << "scales must be positive, got " << scale;
      dims[axis] = scaleDim(context, dims[axis], scale);
    }
    return context.setResult(0, ArrayRef<Dim>(dims), elementType);
  }
  auto sizes = context.getValues(getSizes());
  if (!sizes) {
    for (int64_t axis : *axes)
      dims[axis] = Dim();
    return context.setResult(0, ArrayRef<Dim>(dims), elementType);
  }
  if (failed(checkCount(sizes->size(), "sizes")))
    return failure();
  for (Dim size : *sizes)
    if (size.getValue() && *size.getValue() < 0)
      return emitOpError() << "sizes must not be negative, got "
                           << *size.getValue();
  AspectRatioPolicy policy = getKeepAspectRatioPolicy();
  if (policy == AspectRatioPolicy::stretch) {
    for (auto [axis, size] : llvm::zip(*axes, *sizes))
      dims[axis] = size;
    return context.setResult(0, ArrayRef<Dim>(dims), elementType);
  }
  // One scale for all resized dims, the smallest or largest of the ratios;
  // known only when every size is.
  std::optional<double> scale;
  for (auto [axis, size] : llvm::zip(*axes, *sizes)) {
    std::optional<int64_t> to = size.getValue(), from = (*in)[axis].getValue();
    if (!to || !from) {
      scale.reset();
      break;
    }
    double ratio = double(*to) / double(*from);
    if (!scale || (policy == AspectRatioPolicy::not_larger ? ratio < *scale
                                                           : ratio > *scale))
      scale = ratio;
  }
  for (int64_t axis : *axes) {
    std::optional<int64_t> from = (*in)[axis].getValue();
    dims[axis] = scale && from ? context.dim(int64_t(
                                     std::floor(*scale * *from + 0.5)))
                               : Dim();
  }
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

//===----------------------------------------------------------------------===//
// depth_to_space, space_to_depth
//===----------------------------------------------------------------------===//

// Shared by both directions: `toSpace` moves channels into blocks.
static LogicalResult inferBlockShuffle(ShapeContext &context, Value input,
                                       int64_t block, bool toSpace) {
  Type elementType = context.getElementType(input);
  if (block < 1)
    return context.emitError() << "blocksize must be positive, got " << block;
  auto in = context.getDims(input);
  if (!in)
    return context.setResult(0, Dims(4), elementType);
  if (in->size() != 4)
    return context.emitError() << "needs a 4-D input, got "
                               << context.format(*in);
  Dims dims = *in;
  int64_t area = block * block;
  // The dims that must divide: channels by block^2, or each spatial dim by
  // the block.
  for (int64_t i = toSpace ? 1 : 2; i < (toSpace ? 2 : 4); ++i) {
    int64_t by = toSpace ? area : block;
    if (failed(context.requireDivisible(dims[i], by, [&] {
          return "dim " + std::to_string(i) + " of " + context.format(*in) +
                 " does not divide by " + std::to_string(by);
        })))
      return failure();
  }
  if (toSpace) {
    dims[1] = dims[1].floorDiv(area);
    dims[2] = dims[2] * block;
    dims[3] = dims[3] * block;
  } else {
    dims[1] = dims[1] * area;
    dims[2] = dims[2].floorDiv(block);
    dims[3] = dims[3].floorDiv(block);
  }
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

LogicalResult DepthToSpaceOp::inferShapes(ShapeContext &context) {
  return inferBlockShuffle(context, getInput(), getBlocksize(), true);
}

LogicalResult SpaceToDepthOp::inferShapes(ShapeContext &context) {
  return inferBlockShuffle(context, getInput(), getBlocksize(), false);
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  if (Value value = getConstantValue())
    if (context.getElementType(value) != elementType)
      return emitOpError() << "constant_value " << value.getType()
                           << " does not match the input's element type";
  auto in = context.getDims(getInput());
  if (!in)
    return context.setResult(0, std::nullopt, elementType);
  int64_t rank = in->size();
  SmallVector<int64_t> axes;
  if (Value axesValue = getAxes()) {
    auto given = context.getInts(axesValue);
    if (!given)
      return context.setResult(0, Dims(rank), elementType);
    FailureOr<SmallVector<int64_t>> resolved = resolveAxes(context, *given, *in);
    if (failed(resolved))
      return failure();
    axes = *resolved;
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  Dims dims = *in;
  auto pads = context.getValues(getPads());
  if (!pads) {
    for (int64_t axis : axes)
      dims[axis] = Dim();
    return context.setResult(0, ArrayRef<Dim>(dims), elementType);
  }
  int64_t n = axes.size();
  if (int64_t(pads->size()) != 2 * n)
    return emitOpError() << "pads has " << pads->size() << " values for "
                         << n << " padded dims";
  for (int64_t i = 0; i < n; ++i) {
    Dim &dim = dims[axes[i]];
    Dim begin = (*pads)[i], end = (*pads)[i + n];
    dim = dim + begin + end;
    // Pads that add cannot crop: only a negative one needs a large enough
    // dim (no requirement on a dim padded by 0, such as the batch).
    auto adds = [](Dim pad) { return pad.getValue() && *pad.getValue() >= 0; };
    if (adds(begin) && adds(end))
      continue;
    if (failed(context.requireAtLeast(dim, 0, [&] {
          return "pads crop dim " + std::to_string(axes[i]) + " of " +
                 context.format(*in) + " below zero";
        })))
      return failure();
  }
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

//===----------------------------------------------------------------------===//
// reshape, flatten, transpose, squeeze, unsqueeze
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto target = context.getValues(getShape());
  if (!target)
    return context.setResult(0, std::nullopt, elementType);
  auto in = context.getDims(getInput());
  Dims dims;
  int64_t inferred = -1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    std::optional<int64_t> value = d.getValue();
    if (value == 0 && !getAllowzero()) {
      if (in && i >= in->size())
        return emitOpError() << "shape entry " << i << " copies a dim the "
                             << context.format(*in) << " input does not have";
      dims.push_back(in ? (*in)[i] : Dim());
    } else if (value == -1) {
      if (inferred >= 0)
        return emitOpError() << "shape has more than one -1";
      inferred = i;
      dims.push_back(Dim());
    } else if (value && *value < -1) {
      return emitOpError() << "shape entry " << i << " is " << *value;
    } else {
      dims.push_back(d);
    }
  }
  Dim total = in ? product(getContext(), *in) : Dim();
  if (inferred >= 0) {
    dims[inferred] = context.dim(1);
    Dim rest = product(getContext(), dims);
    dims[inferred] = Dim();
    std::optional<int64_t> knownTotal = total.getValue(),
                           knownRest = rest.getValue();
    if (knownTotal && knownRest) {
      if (*knownRest == 0 || *knownTotal % *knownRest != 0)
        return emitOpError() << "cannot reshape " << context.format(*in)
                             << " to " << context.format(dims) << ": "
                             << *knownTotal << " elements do not divide by "
                             << *knownRest;
      dims[inferred] = context.dim(*knownTotal / *knownRest);
    } else {
      dims[inferred] = total.divideExactly(rest);
    }
  } else if (failed(context.requireEqual(
                 product(getContext(), dims), total, [&] {
                   return "cannot reshape " + context.format(*in) + " (" +
                          context.format(total) + " elements) to " +
                          context.format(dims);
                 }))) {
    return failure();
  }
  if (failed(context.setResult(0, ArrayRef<Dim>(dims), elementType)))
    return failure();
  if (dims.size() <= 1)
    forwardValues(context, getInput());
  return success();
}

LogicalResult FlattenOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto in = context.getDims(getInput());
  if (!in)
    return context.setResult(0, Dims(2), elementType);
  int64_t rank = in->size(), axis = getAxis();
  if (axis < -rank || axis > rank)
    return emitOpError() << "axis " << axis << " is out of range for "
                         << context.format(*in);
  if (axis < 0)
    axis += rank;
  ArrayRef<Dim> all(*in);
  Dims dims = {product(getContext(), all.take_front(axis)),
               product(getContext(), all.drop_front(axis))};
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

// The permutation a transpose of a rank-`rank` input applies: its perm, or
// the dims reversed.
static SmallVector<int64_t> permOf(TransposeOp op, int64_t rank) {
  if (auto given = op.getPerm())
    return SmallVector<int64_t>(given->begin(), given->end());
  SmallVector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  return reversed;
}

LogicalResult TransposeOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto in = context.getDims(getInput());
  if (!in)
    return context.setResult(0, std::nullopt, elementType);
  int64_t rank = in->size();
  SmallVector<int64_t> perm = permOf(*this, rank);
  if (int64_t(perm.size()) != rank)
    return emitOpError() << "perm has " << perm.size() << " entries for rank "
                         << rank;
  SmallVector<bool> seen(rank, false);
  Dims dims;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return emitOpError() << "perm [" << formatList(perm)
                           << "] is not a permutation of the dims";
    seen[p] = true;
    dims.push_back((*in)[p]);
  }
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

LogicalResult SqueezeOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto in = context.getDims(getInput());
  std::optional<SmallVector<int64_t>> axes;
  if (isPresent(getAxes())) {
    axes = context.getInts(getAxes());
    if (!axes)
      return context.setResult(0, std::nullopt, elementType);
  }
  if (!in)
    return context.setResult(0, std::nullopt, elementType);
  int64_t rank = in->size();
  SmallVector<bool> removed(rank, false);
  if (!axes) {
    // Every dim of size 1; a dim not known to be 1 or not might be one.
    if (llvm::any_of(*in, [](Dim d) { return !d.getValue(); }))
      return context.setResult(0, std::nullopt, elementType);
    for (int64_t i = 0; i < rank; ++i)
      removed[i] = (*in)[i].isConstant(1);
  }
  for (int64_t axis : axes ? *axes : SmallVector<int64_t>()) {
    FailureOr<int64_t> normalized = resolveAxis(context, axis, *in);
    if (failed(normalized))
      return failure();
    Dim dim = (*in)[*normalized];
    if (failed(context.requireEqual(dim, context.dim(1), [&] {
          return "cannot squeeze dim " + std::to_string(*normalized) +
                 " of size " + context.format(dim);
        })))
      return failure();
    removed[*normalized] = true;
  }
  Dims dims;
  for (int64_t i = 0; i < rank; ++i)
    if (!removed[i])
      dims.push_back((*in)[i]);
  if (failed(context.setResult(0, ArrayRef<Dim>(dims), elementType)))
    return failure();
  forwardValues(context, getInput());
  return success();
}

LogicalResult UnsqueezeOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto in = context.getDims(getInput());
  auto axes = context.getInts(getAxes());
  if (!in)
    return context.setResult(0, std::nullopt, elementType);
  if (!axes) {
    auto axesDims = getDims(getAxes().getType());
    if (axesDims && axesDims->size() == 1 && (*axesDims)[0] != kDynamic)
      return context.setResult(0, Dims(in->size() + (*axesDims)[0]),
                               elementType);
    return context.setResult(0, std::nullopt, elementType);
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
  Dims dims;
  for (int64_t i = 0, next = 0; i < rank; ++i)
    dims.push_back(inserted[i] ? context.dim(1) : (*in)[next++]);
  if (failed(context.setResult(0, ArrayRef<Dim>(dims), elementType)))
    return failure();
  forwardValues(context, getInput());
  return success();
}

//===----------------------------------------------------------------------===//
// concat, split, expand
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferShapes(ShapeContext &context) {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  Type elementType = context.getElementType(getInputs().front());
  std::optional<Dims> dims;
  std::optional<int64_t> axis;
  Dim axisTotal = context.dim(0);
  for (Value input : getInputs()) {
    if (context.getElementType(input) != elementType)
      return emitOpError() << "inputs have different element types: "
                           << getInputs().front().getType() << " and "
                           << input.getType();
    auto in = context.getDims(input);
    if (!in) {
      axisTotal = Dim();
      continue;
    }
    if (!axis) {
      FailureOr<int64_t> resolved =
          resolveAxis(context, int64_t(getAxis()), *in);
      if (failed(resolved))
        return failure();
      axis = *resolved;
      dims = *in;
    } else if (in->size() != dims->size()) {
      return emitOpError() << "inputs have different ranks: "
                           << context.format(*dims) << " and "
                           << context.format(*in);
    }
    for (size_t i = 0; i < in->size(); ++i) {
      if (int64_t(i) == *axis)
        continue;
      Dim &d = (*dims)[i], e = (*in)[i];
      if (failed(context.requireEqual(d, e, [&] {
            return "inputs differ in dim " + std::to_string(i) + ": " +
                   context.format(*dims) + " and " + context.format(*in);
          })))
        return failure();
      if (d.isUnknown())
        d = e;
    }
    axisTotal = axisTotal + (*in)[*axis];
  }
  if (!dims)
    return context.setResult(0, std::nullopt, elementType);
  (*dims)[*axis] = axisTotal;
  if (failed(context.setResult(0, *dims, elementType)))
    return failure();
  // Joined shape entries.
  if (dims->size() == 1) {
    Dims values;
    for (Value input : getInputs()) {
      auto part = context.getValues(input);
      if (!part)
        return success();
      values.append(part->begin(), part->end());
    }
    context.setResultValues(0, values);
  }
  return success();
}

LogicalResult SplitOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  int64_t count = getNumResults();
  if (count == 0)
    return emitOpError() << "needs at least one result";
  auto in = context.getDims(getInput());
  if (!in) {
    for (int64_t i = 0; i < count; ++i)
      (void)context.setResult(i, std::nullopt, elementType);
    return success();
  }
  FailureOr<int64_t> axis = resolveAxis(context, int64_t(getAxis()), *in);
  if (failed(axis))
    return failure();
  Dim total = (*in)[*axis];
  Dims sizes;
  if (isPresent(getSplit())) {
    auto given = context.getInts(getSplit());
    if (given) {
      if (int64_t(given->size()) != count)
        return emitOpError() << "split has " << given->size()
                             << " sizes for " << count << " results";
      int64_t sum = 0;
      for (int64_t s : *given) {
        if (s < 0)
          return emitOpError() << "split sizes must not be negative";
        sum += s;
        sizes.push_back(context.dim(s));
      }
      if (failed(context.requireEqual(context.dim(sum), total, [&] {
            return "split sizes add up to " + std::to_string(sum) +
                   " but dim " + std::to_string(*axis) + " is " +
                   context.format(total);
          })))
        return failure();
    } else {
      sizes.assign(count, Dim());
    }
  } else {
    // Equal parts; the last one is smaller when the dim does not divide.
    Dim part = total.ceilDiv(count);
    Dim last = total - part * (count - 1);
    if (count > 1 && failed(context.requireAtLeast(last, 1, [&] {
          return "cannot split dim " + std::to_string(*axis) + " of size " +
                 context.format(total) + " into " + std::to_string(count) +
                 " parts";
        })))
      return failure();
    sizes.assign(count, part);
    sizes.back() = last;
  }
  for (auto [i, size] : llvm::enumerate(sizes)) {
    Dims dims = *in;
    dims[*axis] = size;
    (void)context.setResult(i, ArrayRef<Dim>(dims), elementType);
  }
  return success();
}

LogicalResult ExpandOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto in = context.getDims(getInput());
  auto shape = context.getValues(getShape());
  if (!in || !shape)
    return context.setResult(0, std::nullopt, elementType);
  FailureOr<Dims> dims = broadcast(context, *in, *shape, [&] {
    return "cannot expand " + context.format(*in) + " to " +
           context.format(*shape);
  });
  if (failed(dims))
    return failure();
  return context.setResult(0, *dims, elementType);
}

//===----------------------------------------------------------------------===//
// Folders of the ops that shape computations use
//===----------------------------------------------------------------------===//

// A small constant given another shape (unsqueeze, and reshape: torch's
// F.pad reverses its pads as an [n, 2] matrix).
static OpFoldResult reshapeConstant(Attribute input, Type type) {
  auto constant = dyn_cast_or_null<DenseElementsAttr>(input);
  if (!constant || !isFoldable(type))
    return {};
  return constant.reshape(cast<ShapedType>(type));
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return reshapeConstant(adaptor.getInput(), getType());
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return reshapeConstant(adaptor.getInput(), getType());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!input || !isFoldable(getType()) || !input.getType().hasStaticShape())
    return {};
  ArrayRef<int64_t> dims = input.getType().getShape();
  int64_t rank = dims.size();
  SmallVector<int64_t> perm = permOf(*this, rank);
  if (int64_t(perm.size()) != rank)
    return {};
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * dims[i + 1];
  auto type = cast<ShapedType>(getType());
  SmallVector<Attribute> all(input.getValues<Attribute>()), values;
  values.reserve(all.size());
  SmallVector<int64_t> index(rank, 0); // over the output's dims
  for (int64_t n = 0, count = type.getNumElements(); n < count; ++n) {
    int64_t offset = 0;
    for (int64_t i = 0; i < rank; ++i)
      offset += index[i] * strides[perm[i]];
    values.push_back(all[offset]);
    for (int64_t i = rank - 1; i >= 0 && ++index[i] == type.getDimSize(i); --i)
      index[i] = 0;
  }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (!isFoldable(getType()))
    return {};
  auto type = cast<RankedTensorType>(getType());
  int64_t axis = *normalizeAxis(getAxis(), type.getRank());
  ArrayRef<int64_t> dims = type.getShape();
  int64_t outer = 1;
  for (int64_t d : dims.take_front(axis))
    outer *= d;
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

//===----------------------------------------------------------------------===//
// custom
//===----------------------------------------------------------------------===//

// The shape a custom op declares with its `mlc_shape_rule` attribute (see
// the op's description); without one, its results' dims are unknown here
// (the declared types fill them in where the analysis trusts them).
LogicalResult CustomOp::inferShapes(ShapeContext &context) {
  // The node's rule, else the one a loaded plugin registered for its class.
  auto rule = getNodeAttributes().getAs<StringAttr>("mlc_shape_rule");
  if (!rule) {
    std::string registered =
        mlc::rt::CustomLayerRegistry::global().shapeRule(getOpType().str());
    if (!registered.empty())
      rule = StringAttr::get(getContext(), registered);
  }
  // K, or `@name`: the node's integer attribute `name`.
  auto parseFactor = [&](StringRef text, int64_t &factor) {
    if (text.consume_front("@")) {
      auto attribute = getNodeAttributes().getAs<IntegerAttr>(text);
      if (!attribute)
        return false;
      factor = attribute.getInt();
      return factor > 0;
    }
    return !text.getAsInteger(10, factor) && factor > 0;
  };
  std::optional<Dims> in =
      getInputs().empty() ? std::nullopt : context.getDims(getInputs()[0]);
  for (auto [i, result] : llvm::enumerate(getResults())) {
    Type elementType = getElementTypeOrSelf(result.getType());
    auto type = dyn_cast<RankedTensorType>(result.getType());
    std::optional<Dims> unknown;
    if (type)
      unknown = Dims(type.getRank(), Dim());
    if (!rule || !in) {
      (void)context.setResult(i, unknown, elementType);
      continue;
    }
    StringRef text = rule.getValue();
    Dims dims = *in;
    int64_t factor = 0;
    if (text == "same") {
      // Operand 0's dims as they are.
    } else if (text == "fixed") {
      // The declared dims, whatever the input's size.
      if (!type || !type.hasStaticShape())
        return context.emitError()
               << "mlc_shape_rule 'fixed' needs results of static shape";
      dims = toDims(getContext(), type.getShape());
    } else if (text.consume_front("scale_spatial:") &&
               parseFactor(text, factor)) {
      for (size_t d = 2; d < dims.size(); ++d)
        dims[d] = dims[d] * factor;
    } else if (text.consume_front("divide_spatial:") &&
               parseFactor(text, factor)) {
      for (size_t d = 2; d < dims.size(); ++d) {
        if (failed(context.requireAtLeast(dims[d], factor, [&] {
              return "the custom op divides dim " + std::to_string(d) +
                     " by " + std::to_string(factor);
            })))
          return failure();
        dims[d] = dims[d].floorDiv(factor);
      }
    } else {
      return context.emitError()
             << "shape rule '" << rule.getValue()
             << "': use same, fixed, scale_spatial:K or divide_spatial:K (K "
                "a positive integer or @attribute)";
    }
    if (failed(context.setResult(i, ArrayRef<Dim>(dims), elementType)))
      return failure();
  }
  return success();
}
