//===- Schemas.cpp - What ONNX's operator schemas say of an op ------------===//
//
// Built with exceptions (libonnx's headers need them; see CMakeLists.txt).
//
//===----------------------------------------------------------------------===//

#include "mlc/ONNX/Schemas.h"
#include "mlc/ONNX/DataTypes.h"

#include "onnx/defs/schema.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

Type mlc::onnx_types::getSchemaOutputElementType(MLIRContext *context,
                                                 StringRef opType,
                                                 StringRef domain,
                                                 int64_t opset, size_t output,
                                                 ArrayRef<Type> inputTypes) {
  const ::onnx::OpSchema *schema =
      ::onnx::OpSchemaRegistry::Schema(opType.str(), int(opset), domain.str());
  if (!schema || schema->outputs().empty())
    return {};
  // A variadic last output stands for the outputs from it on.
  const auto &outputs = schema->outputs();
  const std::string &typeStr =
      outputs[std::min(output, outputs.size() - 1)].GetTypeStr();
  std::vector<std::string> allowed = {typeStr};
  for (const auto &constraint : schema->typeConstraintParams())
    if (constraint.type_param_str == typeStr)
      allowed = constraint.allowed_type_strs;
  if (allowed.size() == 1) {
    // "tensor(int64)": the TensorProto data type INT64.
    StringRef name(allowed.front());
    ::onnx::TensorProto_DataType dataType;
    if (name.consume_front("tensor(") && name.consume_back(")") &&
        ::onnx::TensorProto_DataType_Parse(name.upper(), &dataType))
      return getElementType(context, dataType);
    return {};
  }
  // Else an input's of the same constraint (Where's "T" from X).
  const auto &inputs = schema->inputs();
  for (size_t i = 0; i < inputTypes.size() && !inputs.empty(); ++i)
    if (inputTypes[i] &&
        inputs[std::min(i, inputs.size() - 1)].GetTypeStr() == typeStr)
      return inputTypes[i];
  return {};
}
