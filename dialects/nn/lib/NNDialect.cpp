//===- NNDialect.cpp - The nn dialect -------------------------------------===//

#include "mlc/Dialect/NN/NNDialect.h"
#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlc::nn;

#include "mlc/Dialect/NN/NNDialect.cpp.inc"
#include "mlc/Dialect/NN/NNEnums.cpp.inc"
#include "mlc/Dialect/NN/NNInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mlc/Dialect/NN/NNAttributes.cpp.inc"

#define GET_OP_CLASSES
#include "mlc/Dialect/NN/NNOps.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mlc/Dialect/NN/NNOps.cpp.inc"
      >();
  registerAttributes();
}

void NNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mlc/Dialect/NN/NNAttributes.cpp.inc"
      >();
}

Operation *NNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, type, elements);
}

LogicalResult NNDialect::verifyRegionArgAttribute(Operation *op,
                                                  unsigned regionIndex,
                                                  unsigned argIndex,
                                                  NamedAttribute attribute) {
  if (attribute.getName() != kShapesAttr)
    return success();
  auto shapes = dyn_cast<ShapeSetAttr>(attribute.getValue());
  if (!shapes)
    return op->emitError() << kShapesAttr << " of argument " << argIndex
                           << " must be a #nn.shapes";
  Region &region = op->getRegion(regionIndex);
  if (region.empty() || argIndex >= region.getNumArguments())
    return success();
  auto type = dyn_cast<RankedTensorType>(region.getArgument(argIndex).getType());
  if (!type || type.getRank() != shapes.getRank())
    return op->emitError() << kShapesAttr << " of argument " << argIndex
                           << " has rank " << shapes.getRank()
                           << " but the argument is "
                           << region.getArgument(argIndex).getType();
  for (auto [i, declared, accepted] :
       llvm::enumerate(type.getShape(), shapes.getTypeShape()))
    if (declared != ShapedType::kDynamic && declared != accepted)
      return op->emitError() << kShapesAttr << " of argument " << argIndex
                             << " lets dim " << i
                             << " vary but the argument's type fixes it at "
                             << declared;
  return success();
}
