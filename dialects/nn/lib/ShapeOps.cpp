//===- ShapeOps.cpp - shape, gather, slice, cast and constants ------------===//
//
// The ops that exporters use to compute shapes, with folders so that a shape
// computation on known dims becomes a constant.
//
//===----------------------------------------------------------------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "OpHelpers.h"

using namespace mlir;
using namespace mlc::nn;

// The clamped [start, end) of a Shape or Slice bound on a dim of `size`.
static int64_t clampBound(int64_t v, int64_t size, int64_t low, int64_t high) {
  if (v < 0)
    v += size;
  return std::max(low, std::min(v, high));
}

//===----------------------------------------------------------------------===//
// shape
//===----------------------------------------------------------------------===//

// The dims [start, end) that nn.shape returns, for an input of `rank`.
static std::pair<int64_t, int64_t> shapeRange(ShapeOp op, int64_t rank) {
  int64_t start = clampBound(op.getStart(), rank, 0, rank);
  int64_t end = clampBound(op.getEnd().value_or(rank), rank, 0, rank);
  return {start, std::max(start, end)};
}

LogicalResult ShapeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type i64 = IntegerType::get(getContext(), 64);
  auto in = getDims(getInput().getType());
  if (!in)
    return pushType(types, ArrayRef<int64_t>{kDynamic}, i64);
  auto [start, end] = shapeRange(*this, in->size());
  return pushType(types, ArrayRef<int64_t>{end - start}, i64);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto in = getDims(getInput().getType());
  if (!in)
    return {};
  auto [start, end] = shapeRange(*this, in->size());
  ArrayRef<int64_t> dims = ArrayRef<int64_t>(*in).slice(start, end - start);
  if (llvm::is_contained(dims, kDynamic))
    return {};
  Type i64 = IntegerType::get(getContext(), 64);
  return makeIntsAttr(RankedTensorType::get({int64_t(dims.size())}, i64), dims);
}

//===----------------------------------------------------------------------===//
// gather
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  if (!isa<IntegerType>(getElementType(getIndices().getType())))
    return emitOpError() << "indices must be integers, got "
                         << getIndices().getType();
  auto data = getDims(getInput().getType());
  auto indices = getDims(getIndices().getType());
  if (!data || !indices)
    return pushType(types, std::nullopt, elementType);
  auto axis = normalizeAxis(getAxis(), data->size());
  if (!axis)
    return emitOpError() << "axis " << int64_t(getAxis())
                         << " is out of range for " << formatDims(*data);
  int64_t size = (*data)[*axis];
  if (auto values = getConstantInts(getIndices()))
    for (int64_t index : *values)
      if (size != kDynamic && (index < -size || index >= size))
        return emitOpError() << "index " << index << " is out of range for dim "
                             << *axis << " of size " << size;
  SmallVector<int64_t> dims(data->begin(), data->begin() + *axis);
  dims.append(indices->begin(), indices->end());
  dims.append(data->begin() + *axis + 1, data->end());
  return pushType(types, ArrayRef<int64_t>(dims), elementType);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto indices = getConstantInts(adaptor.getIndices());
  if (!data || !indices || !isFoldable(getType()))
    return {};
  ArrayRef<int64_t> dims = data.getType().getShape();
  int64_t axis = *normalizeAxis(getAxis(), dims.size());
  int64_t outer = 1, inner = 1, size = dims[axis];
  for (int64_t i = 0; i < axis; ++i)
    outer *= dims[i];
  for (size_t i = axis + 1; i < dims.size(); ++i)
    inner *= dims[i];
  SmallVector<Attribute> all(data.getValues<Attribute>());
  SmallVector<Attribute> values;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : *indices) {
      int64_t at = (index < 0 ? index + size : index);
      auto begin = all.begin() + (o * size + at) * inner;
      values.append(begin, begin + inner);
    }
  return DenseElementsAttr::get(cast<ShapedType>(getType()), values);
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

namespace {
// The resolved bounds of a slice on each dim.
struct SliceBounds {
  SmallVector<int64_t> start, step, count; // per dim of the input
};
} // namespace

// Resolves ONNX Slice's starts/ends/axes/steps on a fully known shape (dims
// may be kDynamic: their counts come out kDynamic). Emits at `op` on error.
static FailureOr<SliceBounds> resolveSlice(Operation *op,
                                           ArrayRef<int64_t> dims,
                                           ArrayRef<int64_t> starts,
                                           ArrayRef<int64_t> ends,
                                           ArrayRef<int64_t> axes,
                                           ArrayRef<int64_t> steps) {
  int64_t rank = dims.size();
  SliceBounds b;
  b.start.assign(rank, 0);
  b.step.assign(rank, 1);
  b.count.assign(dims.begin(), dims.end());
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return op->emitOpError() << "starts, ends, axes and steps differ in length";
  for (size_t i = 0; i < starts.size(); ++i) {
    auto axis = normalizeAxis(axes[i], rank);
    if (!axis)
      return op->emitOpError() << "axis " << axes[i] << " is out of range for "
                               << formatDims(dims);
    int64_t step = steps[i], size = dims[*axis];
    if (step == 0)
      return op->emitOpError() << "step must not be 0";
    b.step[*axis] = step;
    if (size == kDynamic) {
      b.count[*axis] = kDynamic;
      continue;
    }
    int64_t start, end;
    if (step > 0) {
      start = clampBound(starts[i], size, 0, size);
      end = clampBound(ends[i], size, 0, size);
      b.count[*axis] = end > start ? (end - start + step - 1) / step : 0;
    } else {
      // ONNX clamps the start to [0, size - 1] when stepping backwards.
      start = clampBound(starts[i], size, 0, size - 1);
      end = clampBound(ends[i], size, -1, size - 1);
      // An end below -size means "through index 0".
      if (ends[i] < -size)
        end = -1;
      b.count[*axis] =
          size > 0 && start > end ? (start - end - step - 1) / -step : 0;
    }
    b.start[*axis] = start;
  }
  return b;
}

// The slice's operands as constants, with ONNX's defaults for axes and steps.
static bool getSliceOperands(SliceOp op, SmallVectorImpl<int64_t> &starts,
                             SmallVectorImpl<int64_t> &ends,
                             SmallVectorImpl<int64_t> &axes,
                             SmallVectorImpl<int64_t> &steps) {
  auto s = getConstantInts(op.getStarts()), e = getConstantInts(op.getEnds());
  if (!s || !e)
    return false;
  starts.assign(s->begin(), s->end());
  ends.assign(e->begin(), e->end());
  if (op.getAxes()) {
    auto a = getConstantInts(op.getAxes());
    if (!a)
      return false;
    axes.assign(a->begin(), a->end());
  } else {
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  }
  if (op.getSteps()) {
    auto st = getConstantInts(op.getSteps());
    if (!st)
      return false;
    steps.assign(st->begin(), st->end());
  } else {
    steps.assign(starts.size(), 1);
  }
  return true;
}

LogicalResult SliceOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  auto in = getDims(getInput().getType());
  if (!in)
    return pushType(types, std::nullopt, elementType);
  SmallVector<int64_t> starts, ends, axes, steps;
  if (!getSliceOperands(*this, starts, ends, axes, steps)) {
    // Which dims change is unknown unless the axes are.
    SmallVector<int64_t> dims = *in;
    auto knownAxes = getAxes() ? getConstantInts(getAxes()) : std::nullopt;
    for (int64_t i = 0; i < int64_t(dims.size()); ++i)
      if (!knownAxes || llvm::is_contained(*knownAxes, i) ||
          llvm::is_contained(*knownAxes, i - int64_t(dims.size())))
        dims[i] = kDynamic;
    return pushType(types, ArrayRef<int64_t>(dims), elementType);
  }
  FailureOr<SliceBounds> bounds =
      resolveSlice(*this, *in, starts, ends, axes, steps);
  if (failed(bounds))
    return failure();
  return pushType(types, ArrayRef<int64_t>(bounds->count), elementType);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!data || !isFoldable(getType()))
    return {};
  SmallVector<int64_t> starts, ends, axes, steps;
  if (!getSliceOperands(*this, starts, ends, axes, steps))
    return {};
  ArrayRef<int64_t> dims = data.getType().getShape();
  FailureOr<SliceBounds> b =
      resolveSlice(*this, dims, starts, ends, axes, steps);
  if (failed(b))
    return {};
  int64_t rank = dims.size();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * dims[i + 1];
  SmallVector<Attribute> all(data.getValues<Attribute>());
  SmallVector<Attribute> values;
  int64_t total = 1;
  for (int64_t c : b->count)
    total *= c;
  SmallVector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < total; ++n) {
    int64_t offset = 0;
    for (int64_t i = 0; i < rank; ++i)
      offset += (b->start[i] + index[i] * b->step[i]) * strides[i];
    values.push_back(all[offset]);
    for (int64_t i = rank - 1; i >= 0 && ++index[i] == b->count[i]; --i)
      index[i] = 0;
  }
  return DenseElementsAttr::get(cast<ShapedType>(getType()), values);
}

//===----------------------------------------------------------------------===//
// cast
//===----------------------------------------------------------------------===//

LogicalResult CastOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  // The target type is the declared result's element type.
  return pushType(types, getDims(getInput().getType()),
                  getElementType(getType()));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (!adaptor.getInput() || !isFoldable(getType()))
    return {};
  auto type = cast<ShapedType>(getType());
  Type to = type.getElementType();
  if (to == getElementType(getInput().getType()))
    return adaptor.getInput();
  if (isa<FloatType>(to)) {
    if (auto floats = getConstantFloats(adaptor.getInput()))
      return makeFloatsAttr(type, *floats);
    if (auto ints = getConstantInts(adaptor.getInput()))
      return makeFloatsAttr(type, SmallVector<double>(ints->begin(), ints->end()));
    return {};
  }
  auto intType = dyn_cast<IntegerType>(to);
  if (!intType)
    return {};
  SmallVector<int64_t> values;
  if (auto ints = getConstantInts(adaptor.getInput()))
    values = *ints;
  else if (auto floats = getConstantFloats(adaptor.getInput()))
    for (double v : *floats)
      values.push_back(int64_t(v)); // truncates, as runtimes do
  else
    return {};
  if (intType.getWidth() == 1)
    for (int64_t &v : values)
      v = v != 0;
  return makeIntsAttr(type, values);
}

//===----------------------------------------------------------------------===//
// constant, constant_of_shape
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getValue().getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

// The fill value of constant_of_shape: its attribute, or a float 0.
static ElementsAttr getFillValue(ConstantOfShapeOp op) {
  if (auto value = op.getValueAttr())
    return value;
  auto type = RankedTensorType::get({1}, Float32Type::get(op.getContext()));
  return DenseElementsAttr::get(type, 0.0f);
}

LogicalResult ConstantOfShapeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  ElementsAttr value = getFillValue(*this);
  if (value.getNumElements() != 1)
    return emitOpError() << "value must hold one element, got "
                         << value.getNumElements();
  Type elementType = value.getElementType();
  auto dims = getPartialInts(getShape());
  if (!dims)
    return pushType(types, std::nullopt, elementType);
  for (int64_t d : *dims)
    if (d != kDynamic && d < 0)
      return emitOpError() << "shape has the negative dim " << d;
  return pushType(types, ArrayRef<int64_t>(*dims), elementType);
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  auto value = dyn_cast<DenseElementsAttr>(getFillValue(*this));
  if (!type || !type.hasStaticShape() || !value)
    return {};
  // A splat holds one value however large the tensor.
  return DenseElementsAttr::get(type, value.getValues<Attribute>()[0]);
}
