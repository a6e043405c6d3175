//===- ShapeSetAttr.cpp - The shapes a graph input accepts ----------------===//

#include "mlc/Dialect/NN/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlc::nn;

// A batch of any size: `?` where dim 0's size would be (the runtime takes
// batches of the set's shapes at batch 1; it has no such dim elsewhere).
static bool isAnySize(int64_t d) { return ShapedType::isDynamic(d); }

ShapeSetAttr ShapeSetAttr::get(MLIRContext *context,
                               ArrayRef<SmallVector<int64_t>> shapes) {
  SmallVector<DenseI64ArrayAttr> attrs;
  for (const auto &shape : shapes)
    attrs.push_back(DenseI64ArrayAttr::get(context, shape));
  return get(context, false, ArrayRef<DenseI64ArrayAttr>(attrs),
             ArrayRef<int64_t>(),
             ArrayRef<int64_t>(), ArrayRef<int64_t>());
}

ShapeSetAttr ShapeSetAttr::get(MLIRContext *context, ArrayRef<int64_t> mins,
                               ArrayRef<int64_t> maxs, ArrayRef<int64_t> steps,
                               ArrayRef<SmallVector<int64_t>> planned) {
  SmallVector<DenseI64ArrayAttr> attrs;
  for (const auto &shape : planned)
    attrs.push_back(DenseI64ArrayAttr::get(context, shape));
  return get(context, true, ArrayRef<DenseI64ArrayAttr>(attrs), mins, maxs,
             steps);
}

// Whether `shape` is in the range of `mins`, `maxs` and `steps`.
static bool inRange(ArrayRef<int64_t> shape, ArrayRef<int64_t> mins,
                    ArrayRef<int64_t> maxs, ArrayRef<int64_t> steps) {
  if (shape.size() != mins.size())
    return false;
  for (auto [d, min, max, step] : llvm::zip(shape, mins, maxs, steps))
    if (isAnySize(min) ? !isAnySize(d) && d < 1
                       : d < min || d > max || (d - min) % step != 0)
      return false;
  return true;
}

LogicalResult
ShapeSetAttr::verify(function_ref<InFlightDiagnostic()> emitError, bool range,
                     ArrayRef<DenseI64ArrayAttr> shapes, ArrayRef<int64_t> mins,
                     ArrayRef<int64_t> maxs, ArrayRef<int64_t> steps) {
  if (range) {
    if (mins.size() != maxs.size() || mins.size() != steps.size() ||
        mins.empty())
      return emitError() << "a range needs a min, max and step per dim";
    for (auto [d, min, max, step] : llvm::enumerate(mins, maxs, steps)) {
      if (isAnySize(min) != isAnySize(max))
        return emitError() << "a range dim takes any size ('?') at both ends "
                              "or at neither";
      if (isAnySize(min) && d != 0)
        return emitError() << "only dim 0, the batch, takes any size ('?')";
      if (isAnySize(min))
        continue;
      if (min < 1 || step < 1)
        return emitError() << "range dims must be positive, got " << min
                           << " to " << max << " step " << step;
      if (min > max)
        return emitError() << "range " << min << " to " << max
                           << " has its minimum above its maximum";
    }
    for (auto [i, shape] : llvm::enumerate(shapes)) {
      if (!inRange(shape.asArrayRef(), mins, maxs, steps))
        return emitError() << "a planned shape is not in the range";
      for (size_t j = 0; j < i; ++j)
        if (shapes[j] == shape)
          return emitError() << "plans a shape twice";
    }
    return success();
  }
  if (shapes.empty())
    return emitError() << "needs at least one shape";
  for (auto [i, shape] : llvm::enumerate(shapes)) {
    if (shape.size() != shapes.front().size())
      return emitError() << "shapes differ in rank";
    if (llvm::any_of(shape.asArrayRef(),
                     [](int64_t d) { return d < 1 && !isAnySize(d); }))
      return emitError() << "shape dims must be positive or '?'";
    for (auto [d, size] : llvm::enumerate(shape.asArrayRef())) {
      if (isAnySize(size) && d != 0)
        return emitError() << "only dim 0, the batch, takes any size ('?')";
      if (isAnySize(size) != isAnySize(shapes.front()[d]))
        return emitError() << "dim " << d
                           << " takes any size ('?') in some shapes only";
    }
    for (size_t j = 0; j < i; ++j)
      if (shapes[j] == shape)
        return emitError() << "lists a shape twice";
  }
  return success();
}

int64_t ShapeSetAttr::getRank() const {
  return getRange() ? getMins().size() : getShapes().front().size();
}

bool ShapeSetAttr::contains(ArrayRef<int64_t> shape) const {
  if (int64_t(shape.size()) != getRank())
    return false;
  if (!getRange())
    return llvm::any_of(getShapes(), [&](DenseI64ArrayAttr s) {
      return llvm::all_of(llvm::zip(s.asArrayRef(), shape), [](auto dims) {
        auto [accepted, d] = dims;
        return isAnySize(accepted) ? d >= 1 : d == accepted;
      });
    });
  return inRange(shape, getMins(), getMaxs(), getSteps());
}

SmallVector<int64_t> ShapeSetAttr::getDefaultShape() const {
  SmallVector<int64_t> dims(getRange() ? getMins()
                                       : getShapes().front().asArrayRef());
  for (int64_t &d : dims)
    if (isAnySize(d))
      d = 1;
  return dims;
}

SmallVector<int64_t> ShapeSetAttr::getTypeShape() const {
  SmallVector<int64_t> dims(getRange() ? getMins()
                                       : getShapes().front().asArrayRef());
  for (int64_t i = 0; i < getRank(); ++i) {
    bool varies =
        getRange() ? getMins()[i] != getMaxs()[i]
                   : llvm::any_of(getShapes(), [&](DenseI64ArrayAttr s) {
                       return s[i] != dims[i];
                     });
    if (varies)
      dims[i] = ShapedType::kDynamic;
  }
  return dims;
}

std::string ShapeSetAttr::toText() const {
  auto size = [](int64_t d) {
    return isAnySize(d) ? std::string("?") : std::to_string(d);
  };
  std::string shapes;
  for (auto [i, shape] : llvm::enumerate(getShapes()))
    shapes += (i ? ", " : "") +
              llvm::join(llvm::map_range(shape.asArrayRef(), size), "x");
  if (!getRange())
    return shapes;
  std::string out;
  for (auto [i, min, max, step] :
       llvm::enumerate(getMins(), getMaxs(), getSteps())) {
    if (i)
      out += "x";
    if (min == max) {
      out += size(min);
      continue;
    }
    out += "(" + std::to_string(min) + ".." + std::to_string(max);
    if (step != 1)
      out += ":" + std::to_string(step);
    out += ")";
  }
  return shapes.empty() ? out : out + " planned " + shapes;
}

ShapeSetAttr ShapeSetAttr::parseText(MLIRContext *context, StringRef text,
                                     std::string &error) {
  auto number = [&](StringRef s, int64_t &value) {
    if (s.trim() == "?") {
      value = ShapedType::kDynamic;
      return true;
    }
    if (s.trim().getAsInteger(10, value) || value < 1) {
      error = "'" + s.trim().str() + "' is not a positive size";
      return false;
    }
    return true;
  };
  auto parseShapes = [&](StringRef list,
                         SmallVectorImpl<SmallVector<int64_t>> &shapes) {
    for (StringRef item : llvm::split(list, ',')) {
      SmallVector<int64_t> &shape = shapes.emplace_back();
      for (StringRef dim : llvm::split(item, 'x'))
        if (!number(dim, shape.emplace_back()))
          return false;
    }
    return true;
  };
  // Verifies as the attribute does, its diagnostic into `error`.
  auto verified = [&](bool range, ArrayRef<SmallVector<int64_t>> shapes,
                      ArrayRef<int64_t> mins, ArrayRef<int64_t> maxs,
                      ArrayRef<int64_t> steps) {
    ScopedDiagnosticHandler capture(context, [&](Diagnostic &d) {
      error = d.str();
      return success();
    });
    SmallVector<DenseI64ArrayAttr> attrs;
    for (const auto &shape : shapes)
      attrs.push_back(DenseI64ArrayAttr::get(context, shape));
    return succeeded(
        verify([&] { return mlir::emitError(UnknownLoc::get(context)); }, range,
               attrs, mins, maxs, steps));
  };
  text = text.trim();
  if (text.contains("..")) {
    SmallVector<SmallVector<int64_t>> planned;
    constexpr llvm::StringLiteral kPlanned(" planned");
    if (size_t at = text.find(kPlanned); at != StringRef::npos) {
      StringRef plannedText = text.drop_front(at + kPlanned.size()).trim();
      text = text.take_front(at).trim();
      if (plannedText.empty()) {
        error = "'planned' names no shape";
        return nullptr;
      }
      if (!parseShapes(plannedText, planned))
        return nullptr;
    }
    SmallVector<int64_t> mins, maxs, steps;
    // Dims are split by 'x' outside parentheses.
    SmallVector<StringRef> dims;
    size_t start = 0;
    int depth = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] == '(')
        ++depth;
      if (i < text.size() && text[i] == ')')
        --depth;
      if (i == text.size() || (text[i] == 'x' && depth == 0)) {
        dims.push_back(text.slice(start, i).trim());
        start = i + 1;
      }
    }
    for (StringRef dim : dims) {
      dim = dim.trim();
      if (dim.consume_front("(") && !dim.consume_back(")")) {
        error = "unbalanced parentheses in '" + text.str() + "'";
        return nullptr;
      }
      auto [range, stepText] = dim.split(':');
      auto [minText, maxText] = range.split("..");
      int64_t min, max, step = 1;
      if (!number(minText, min))
        return nullptr;
      max = min;
      if (!maxText.empty() && !number(maxText, max))
        return nullptr;
      if (!stepText.empty() && !number(stepText, step))
        return nullptr;
      mins.push_back(min), maxs.push_back(max), steps.push_back(step);
    }
    if (!verified(true, planned, mins, maxs, steps))
      return nullptr;
    return get(context, ArrayRef<int64_t>(mins), ArrayRef<int64_t>(maxs),
               ArrayRef<int64_t>(steps), planned);
  }
  SmallVector<SmallVector<int64_t>> shapes;
  if (!parseShapes(text, shapes) || !verified(false, shapes, {}, {}, {}))
    return nullptr;
  return get(context, ArrayRef<SmallVector<int64_t>>(shapes));
}

// #nn.shapes<[1, 3, 224, 224], [1, 3, 448, 448]>
// #nn.shapes<range [1, 3, 224 to 448 step 32, 224 to 448 step 32]>
// #nn.shapes<range [1, 3, 224 to 448, 224 to 448] planned [1, 3, 224, 224]>
void ShapeSetAttr::print(AsmPrinter &printer) const {
  auto printSize = [&](int64_t d) {
    if (isAnySize(d))
      printer << "?";
    else
      printer << d;
  };
  auto printShapes = [&] {
    llvm::interleaveComma(getShapes(), printer, [&](DenseI64ArrayAttr shape) {
      printer << "[";
      llvm::interleaveComma(shape.asArrayRef(), printer, printSize);
      printer << "]";
    });
  };
  printer << "<";
  if (!getRange()) {
    printShapes();
    printer << ">";
    return;
  }
  printer << "range [";
  llvm::interleaveComma(
      llvm::zip(getMins(), getMaxs(), getSteps()), printer, [&](auto dim) {
        auto [min, max, step] = dim;
        printSize(min);
        if (min != max)
          printer << " to " << max;
        if (step != 1)
          printer << " step " << step;
      });
  printer << "]";
  if (!getShapes().empty()) {
    printer << " planned ";
    printShapes();
  }
  printer << ">";
}

Attribute ShapeSetAttr::parse(AsmParser &parser, Type) {
  MLIRContext *context = parser.getContext();
  auto parseSize = [&](int64_t &size) -> ParseResult {
    if (succeeded(parser.parseOptionalQuestion())) {
      size = ShapedType::kDynamic;
      return success();
    }
    return parser.parseInteger(size);
  };
  SmallVector<DenseI64ArrayAttr> shapes;
  auto parseShapes = [&] {
    return parser.parseCommaSeparatedList([&] {
      SmallVector<int64_t> shape;
      if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
            return parseSize(shape.emplace_back());
          }))
        return failure();
      shapes.push_back(DenseI64ArrayAttr::get(context, shape));
      return success();
    });
  };
  if (parser.parseLess())
    return {};
  if (succeeded(parser.parseOptionalKeyword("range"))) {
    SmallVector<int64_t> mins, maxs, steps;
    if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
          int64_t min, max, step = 1;
          if (parseSize(min))
            return failure();
          max = min;
          if (succeeded(parser.parseOptionalKeyword("to")) && parseSize(max))
            return failure();
          if (succeeded(parser.parseOptionalKeyword("step")) &&
              parser.parseInteger(step))
            return failure();
          mins.push_back(min), maxs.push_back(max), steps.push_back(step);
          return success();
        }))
      return {};
    if (succeeded(parser.parseOptionalKeyword("planned")) && parseShapes())
      return {};
    if (parser.parseGreater())
      return {};
    return parser.getChecked<ShapeSetAttr>(
        context, true, ArrayRef<DenseI64ArrayAttr>(shapes),
        ArrayRef<int64_t>(mins), ArrayRef<int64_t>(maxs),
        ArrayRef<int64_t>(steps));
  }
  if (parseShapes() || parser.parseGreater())
    return {};
  return parser.getChecked<ShapeSetAttr>(context, false,
                                         ArrayRef<DenseI64ArrayAttr>(shapes),
                                         ArrayRef<int64_t>(),
                                         ArrayRef<int64_t>(),
                                         ArrayRef<int64_t>());
}
