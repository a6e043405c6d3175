//===- ShapeOps.cpp - shape, gather, slice, cast and constants ------------===//
//
// The ops that exporters use to compute shapes (and range, scatter_nd: the
// masks torch builds from them), with folders so that a shape
// computation on known dims becomes a constant.
//
//===----------------------------------------------------------------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "OpHelpers.h"

#include <cmath>

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

LogicalResult ShapeOp::inferShapes(ShapeContext &context) {
  Type i64 = IntegerType::get(getContext(), 64);
  auto in = context.getDims(getInput());
  if (!in)
    return context.setResult(0, Dims{Dim()}, i64);
  auto [start, end] = shapeRange(*this, in->size());
  (void)context.setResult(0, Dims{context.dim(end - start)}, i64);
  // Its entries are the input's dims: known sizes, or expressions of the
  // free dims that the shape computation carries along.
  context.setResultValues(0, ArrayRef<Dim>(*in).slice(start, end - start));
  return success();
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

LogicalResult GatherOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  if (!isa<IntegerType>(context.getElementType(getIndices())))
    return emitOpError() << "indices must be integers, got "
                         << getIndices().getType();
  auto data = context.getDims(getInput());
  auto indices = context.getDims(getIndices());
  if (!data || !indices)
    return context.setResult(0, std::nullopt, elementType);
  FailureOr<int64_t> axis = resolveAxis(context, int64_t(getAxis()), *data);
  if (failed(axis))
    return failure();
  std::optional<int64_t> size = (*data)[*axis].getValue();
  auto picked = context.getInts(getIndices());
  if (picked && size)
    for (int64_t index : *picked)
      if (index < -*size || index >= *size)
        return emitOpError() << "index " << index << " is out of range for dim "
                             << *axis << " of size " << *size;
  Dims dims(data->begin(), data->begin() + *axis);
  dims.append(indices->begin(), indices->end());
  dims.append(data->begin() + *axis + 1, data->end());
  (void)context.setResult(0, ArrayRef<Dim>(dims), elementType);
  // Entries of a shape computation: picking dims out of a shape.
  auto values = context.getValues(getInput());
  if (values && picked && size && dims.size() <= 1) {
    Dims out;
    for (int64_t index : *picked)
      out.push_back((*values)[index < 0 ? index + *size : index]);
    context.setResultValues(0, out);
  }
  return success();
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto indices = getConstantInts(adaptor.getIndices());
  if (!indices || !isFoldable(getType()))
    return {};
  // Known dims picked out of a shape whose other dims are not (the batch
  // dim a compiled model leaves free): torch's x.shape[2] in Swin's padding.
  // Not of a graph input, whose declared dims a compile may free (a batch of
  // 1 read as N).
  if (auto shape = getInput().getDefiningOp<ShapeOp>();
      shape && !data && !isa<BlockArgument>(shape.getInput())) {
    auto of = dyn_cast<RankedTensorType>(shape.getInput().getType());
    if (!of)
      return {};
    auto [start, end] = shapeRange(shape, of.getRank());
    SmallVector<int64_t> picked;
    for (int64_t index : *indices) {
      int64_t at = index < 0 ? index + (end - start) : index;
      if (at < 0 || at >= end - start || of.isDynamicDim(start + at))
        return {};
      picked.push_back(of.getDimSize(start + at));
    }
    return makeIntsAttr(cast<ShapedType>(getType()), picked);
  }
  if (!data)
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

// The slice's operands as integers, with ONNX's defaults for axes and steps;
// `readInts` reads an operand (constants only, or what shape inference knows).
using IntsReader =
    llvm::function_ref<std::optional<SmallVector<int64_t>>(Value)>;
static bool getSliceOperands(SliceOp op, IntsReader readInts,
                             SmallVectorImpl<int64_t> &starts,
                             SmallVectorImpl<int64_t> &ends,
                             SmallVectorImpl<int64_t> &axes,
                             SmallVectorImpl<int64_t> &steps) {
  auto s = readInts(op.getStarts()), e = readInts(op.getEnds());
  if (!s || !e)
    return false;
  starts.assign(s->begin(), s->end());
  ends.assign(e->begin(), e->end());
  if (op.getAxes()) {
    auto a = readInts(op.getAxes());
    if (!a)
      return false;
    axes.assign(a->begin(), a->end());
  } else {
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  }
  if (op.getSteps()) {
    auto st = readInts(op.getSteps());
    if (!st)
      return false;
    steps.assign(st->begin(), st->end());
  } else {
    steps.assign(starts.size(), 1);
  }
  return true;
}

// An end at or past this means "to the end" (exporters write INT64_MAX or
// INT32_MAX).
constexpr int64_t kSliceToEnd = int64_t(1) << 30;

// The size of a slice with step 1 of a dim that is an expression of the
// free dims, with the requirements that keep its bounds inside the dim.
static FailureOr<Dim> sliceSymbolicDim(ShapeContext &context, Dim size,
                                       int64_t start, int64_t end) {
  auto inside = [&](int64_t bound) {
    return context.requireAtLeast(size - bound, 0, [&] {
      return "slice bound " + std::to_string(bound) + " must lie inside the " +
             context.format(size) + " dim";
    });
  };
  Dim from = start >= 0 ? context.dim(start) : size + start;
  if (failed(inside(start >= 0 ? start : -start)))
    return failure();
  Dim to = end >= kSliceToEnd ? size : end >= 0 ? context.dim(end) : size + end;
  if (end < kSliceToEnd && failed(inside(end >= 0 ? end : -end)))
    return failure();
  return to - from;
}

LogicalResult SliceOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  auto in = context.getDims(getInput());
  if (!in)
    return context.setResult(0, std::nullopt, elementType);
  SmallVector<int64_t> starts, ends, axes, steps;
  auto readInts = [&](Value v) { return context.getInts(v); };
  if (!getSliceOperands(*this, readInts, starts, ends, axes, steps)) {
    // Which dims change is unknown unless the axes are.
    Dims dims = *in;
    auto knownAxes = getAxes() ? context.getInts(getAxes()) : std::nullopt;
    for (int64_t i = 0; i < int64_t(dims.size()); ++i)
      if (!knownAxes || llvm::is_contained(*knownAxes, i) ||
          llvm::is_contained(*knownAxes, i - int64_t(dims.size())))
        dims[i] = Dim();
    return context.setResult(0, ArrayRef<Dim>(dims), elementType);
  }
  SmallVector<int64_t> sizes = toSizes(*in);
  FailureOr<SliceBounds> bounds =
      resolveSlice(*this, sizes, starts, ends, axes, steps);
  if (failed(bounds))
    return failure();
  // The dims it does not slice are the input's (symbolic ones too: a
  // channel split keeps H and W expressions of the input's size).
  Dims dims = *in;
  Dims counts = toDims(getContext(), bounds->count);
  for (auto [i, axis] : llvm::enumerate(axes)) {
    int64_t d = *normalizeAxis(axis, in->size());
    if (!(*in)[d].isSymbolic()) {
      dims[d] = counts[d];
      continue;
    }
    if (steps[i] != 1) {
      dims[d] = Dim();
      continue;
    }
    FailureOr<Dim> size = sliceSymbolicDim(context, (*in)[d], starts[i], ends[i]);
    if (failed(size))
      return failure();
    dims[d] = *size;
  }
  (void)context.setResult(0, ArrayRef<Dim>(dims), elementType);
  // Entries of a shape computation: a slice of a shape.
  auto values = context.getValues(getInput());
  if (values && in->size() == 1 && dims[0].getValue()) {
    Dims out;
    for (int64_t n = 0, at = bounds->start[0]; n < *dims[0].getValue();
         ++n, at += bounds->step[0])
      out.push_back((*values)[at]);
    context.setResultValues(0, out);
  }
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!data || !isFoldable(getType()))
    return {};
  SmallVector<int64_t> starts, ends, axes, steps;
  auto readInts = [](Value v) { return getConstantInts(v); };
  if (!getSliceOperands(*this, readInts, starts, ends, axes, steps))
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

LogicalResult CastOp::inferShapes(ShapeContext &context) {
  // The target type is the declared result's element type.
  Type to = context.getElementType(getOutput());
  (void)context.setResult(0, context.getDims(getInput()), to);
  // Shape entries stay what they are between integer types.
  if (isa<IntegerType>(to) && isa<IntegerType>(context.getElementType(getInput())))
    if (auto values = context.getValues(getInput()))
      context.setResultValues(0, *values);
  return success();
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

LogicalResult ConstantOp::inferShapes(ShapeContext &context) {
  auto type = cast<ShapedType>(getValue().getType());
  (void)context.setResult(0, toDims(getContext(), type.getShape()),
                          type.getElementType());
  if (type.getRank() <= 1 && type.getNumElements() <= kMaxFoldedElements)
    if (auto ints = getConstantInts(getValue()))
      context.setResultValues(0, toDims(getContext(), *ints));
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

LogicalResult ConstantOfShapeOp::inferShapes(ShapeContext &context) {
  ElementsAttr value = getFillValue(*this);
  if (value.getNumElements() != 1)
    return emitOpError() << "value must hold one element, got "
                         << value.getNumElements();
  Type elementType = value.getElementType();
  auto dims = context.getValues(getShape());
  if (!dims)
    return context.setResult(0, std::nullopt, elementType);
  for (Dim d : *dims)
    if (d.getValue() && *d.getValue() < 0)
      return emitOpError() << "shape has the negative dim " << *d.getValue();
  if (failed(context.setResult(0, *dims, elementType)))
    return failure();
  // A vector of one integer repeated (torch's expand(n, -1) builds the -1s
  // as ones times -1) is a shape computation's value.
  auto fill = getConstantInts(value);
  if (fill && dims->size() == 1 && (*dims)[0].getValue() &&
      *(*dims)[0].getValue() <= kMaxFoldedElements)
    context.setResultValues(
        0, Dims(*(*dims)[0].getValue(), context.dim(fill->front())));
  return success();
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  auto value = dyn_cast<DenseElementsAttr>(getFillValue(*this));
  if (!type || !type.hasStaticShape() || !value)
    return {};
  // A splat holds one value however large the tensor.
  return DenseElementsAttr::get(type, value.getValues<Attribute>()[0]);
}

//===----------------------------------------------------------------------===//
// range
//===----------------------------------------------------------------------===//

// The number of entries of a Range: max(ceil((limit - start) / delta), 0).
static std::optional<int64_t> rangeCount(double start, double limit,
                                         double delta) {
  if (delta == 0 || !std::isfinite(start) || !std::isfinite(limit) ||
      !std::isfinite(delta))
    return std::nullopt;
  double count = std::ceil((limit - start) / delta);
  if (count > double(int64_t(1) << 40))
    return std::nullopt;
  return std::max<int64_t>(int64_t(count), 0);
}

LogicalResult RangeOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getStart());
  for (Value operand : {getLimit(), getDelta()})
    if (context.getElementType(operand) != elementType)
      return emitOpError() << "operands have different element types: "
                           << getStart().getType() << " and "
                           << operand.getType();
  for (Value operand : {getStart(), getLimit(), getDelta()}) {
    auto dims = context.getDims(operand);
    if (dims && !dims->empty() &&
        !(dims->size() == 1 && (*dims)[0].isConstant(1)))
      return emitOpError() << "operands must be scalars, got "
                           << operand.getType();
  }
  Dim count;
  Dims entries;
  if (isa<IntegerType>(elementType)) {
    auto start = context.getValues(getStart()),
         limit = context.getValues(getLimit()),
         delta = context.getValues(getDelta());
    std::optional<int64_t> a = start && start->size() == 1 ? (*start)[0].getValue() : std::nullopt;
    std::optional<int64_t> d = delta && delta->size() == 1 ? (*delta)[0].getValue() : std::nullopt;
    Dim l = limit && limit->size() == 1 ? (*limit)[0] : Dim();
    if (a && d && l.getValue()) {
      if (auto n = rangeCount(*a, *l.getValue(), *d)) {
        count = context.dim(*n);
        if (*n <= kMaxFoldedElements)
          for (int64_t i = 0; i < *n; ++i)
            entries.push_back(context.dim(*a + i * *d));
      }
    } else if (a && d && *d > 0 && l.isSymbolic()) {
      // Up to a size the input decides: ceil((l - a) / d) entries (when l
      // is at least a, which the model's own arithmetic ensures).
      count = (l - *a).ceilDiv(*d);
    }
  } else if (auto start = context.getFloats(getStart()),
             limit = context.getFloats(getLimit()),
             delta = context.getFloats(getDelta());
             start && limit && delta && start->size() == 1 &&
             limit->size() == 1 && delta->size() == 1) {
    if (auto n = rangeCount(start->front(), limit->front(), delta->front()))
      count = context.dim(*n);
  }
  if (failed(context.setResult(0, ArrayRef<Dim>{count}, elementType)))
    return failure();
  if (!entries.empty() || count.isConstant(0))
    context.setResultValues(0, entries);
  return success();
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !isFoldable(type))
    return {};
  // The entries start + i * delta, in the values' own type.
  auto steps = [&](const auto &start, const auto &delta) {
    std::decay_t<decltype(*start)> values;
    for (int64_t i = 0; i < type.getDimSize(0); ++i)
      values.push_back(start->front() + i * delta->front());
    return values;
  };
  auto scalars = [](const auto &start, const auto &delta) {
    return start && delta && start->size() == 1 && delta->size() == 1;
  };
  if (isa<IntegerType>(type.getElementType())) {
    auto start = getConstantInts(adaptor.getStart()),
         delta = getConstantInts(adaptor.getDelta());
    return scalars(start, delta) ? makeIntsAttr(type, steps(start, delta))
                                 : OpFoldResult();
  }
  auto start = getConstantFloats(adaptor.getStart()),
       delta = getConstantFloats(adaptor.getDelta());
  return scalars(start, delta) ? makeFloatsAttr(type, steps(start, delta))
                               : OpFoldResult();
}

//===----------------------------------------------------------------------===//
// scatter_nd
//===----------------------------------------------------------------------===//

LogicalResult ScatterNDOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getData());
  if (!isa<IntegerType>(context.getElementType(getIndices())))
    return emitOpError() << "indices must be integers, got "
                         << getIndices().getType();
  if (context.getElementType(getUpdates()) != elementType)
    return emitOpError() << "updates " << getUpdates().getType()
                         << " do not have the data's element type";
  auto data = context.getDims(getData()), indices = context.getDims(getIndices()),
       updates = context.getDims(getUpdates());
  if (data && indices && updates) {
    // updates = indices.shape[:-1] + data.shape[k:], k = indices.shape[-1].
    std::optional<int64_t> k =
        indices->empty() ? std::nullopt : indices->back().getValue();
    if (indices->empty() || (k && *k > int64_t(data->size())))
      return emitOpError() << "indices " << context.format(*indices)
                           << " do not index the data "
                           << context.format(*data);
    if (k) {
      Dims expected(indices->begin(), indices->end() - 1);
      expected.append(data->begin() + *k, data->end());
      auto reason = [&] {
        return "updates " + context.format(*updates) + " do not fit indices " +
               context.format(*indices) + " into data " +
               context.format(*data) + " (expected " +
               context.format(expected) + ")";
      };
      if (updates->size() != expected.size())
        return emitOpError() << reason();
      for (auto [u, e] : llvm::zip(*updates, expected))
        if (failed(context.requireEqual(u, e, reason)))
          return failure();
    }
  }
  return context.setResult(0, data, elementType);
}

OpFoldResult ScatterNDOp::fold(FoldAdaptor adaptor) {
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getData());
  auto updates = dyn_cast_or_null<DenseElementsAttr>(adaptor.getUpdates());
  auto indicesAttr = dyn_cast_or_null<ElementsAttr>(adaptor.getIndices());
  auto indices = getConstantInts(indicesAttr);
  if (!data || !updates || !indices || !isFoldable(getType()) ||
      !data.getType().hasStaticShape())
    return {};
  ArrayRef<int64_t> dims = data.getType().getShape();
  ArrayRef<int64_t> indexDims = indicesAttr.getShapedType().getShape();
  if (indexDims.empty())
    return {};
  int64_t k = indexDims.back();
  if (k > int64_t(dims.size()))
    return {};
  int64_t slice = 1;
  for (size_t i = k; i < dims.size(); ++i)
    slice *= dims[i];
  SmallVector<Attribute> values(data.getValues<Attribute>());
  SmallVector<Attribute> news(updates.getValues<Attribute>());
  int64_t count = 1; // index tuples (k = 0: each names the whole tensor)
  for (int64_t d : indexDims.drop_back())
    count *= d;
  if (news.size() != size_t(count * slice))
    return {};
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (int64_t i = 0; i < k; ++i) {
      int64_t index = (*indices)[n * k + i];
      if (index < 0)
        index += dims[i];
      if (index < 0 || index >= dims[i])
        return {}; // left to the runtime, which reports it
      offset = offset * dims[i] + index;
    }
    std::copy(news.begin() + n * slice, news.begin() + (n + 1) * slice,
              values.begin() + offset * slice);
  }
  return DenseElementsAttr::get(cast<ShapedType>(getType()), values);
}
