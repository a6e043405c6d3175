//===- Schemas.cpp - What ONNX's operator schemas say of an op ------------===//
//
// Built with exceptions (libonnx's headers need them; see CMakeLists.txt).
//
//===----------------------------------------------------------------------===//

#include "mlc/ONNX/Schemas.h"
#include "mlc/ONNX/DataTypes.h"

#include "onnx/defs/schema.h"
#include "llvm/ADT/StringExtras.h"

#include <limits>

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

std::string mlc::onnx_types::checkSchemaArity(StringRef opType,
                                              StringRef domain, int64_t opset,
                                              ArrayRef<bool> given,
                                              size_t outputCount) {
  const auto &known =
      ::onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = known.find(domain.str());
  if (range == known.end())
    return {};
  // The newest version libonnx knows, and the node's own where it knows
  // that. A newer opset may have added inputs (Pad's axes, ReduceMean's at
  // 18): a node of one is held only to the inputs the newest known version
  // requires, which later versions keep.
  int newestKnown = range->second.second;
  bool exact = opset <= newestKnown;
  const ::onnx::OpSchema *newest =
      ::onnx::OpSchemaRegistry::Schema(opType.str(), newestKnown, domain.str());
  const ::onnx::OpSchema *schema =
      exact ? ::onnx::OpSchemaRegistry::Schema(opType.str(), int(opset),
                                               domain.str())
            : newest;
  if (!schema)
    return {};
  auto count = [](int n, StringRef what) {
    return std::to_string(n) + " " + what.str() + (n == 1 ? "" : "s");
  };
  auto span = [&](int min, int max, StringRef what) {
    if (min == max)
      return count(min, what);
    if (max == std::numeric_limits<int>::max() || !exact)
      return "at least " + count(min, what);
    return std::to_string(min) + " to " + count(max, what);
  };
  int inputs = int(given.size()), outputs = int(outputCount);
  if (inputs < schema->min_input() || (exact && inputs > schema->max_input()))
    return opType.str() + " takes " +
           span(schema->min_input(), schema->max_input(), "input") +
           ", the node has " + std::to_string(inputs);
  if (exact &&
      (outputs < schema->min_output() || outputs > schema->max_output()))
    return opType.str() + " has " +
           span(schema->min_output(), schema->max_output(), "output") +
           ", the node has " + std::to_string(outputs);
  // An input a later version made optional (Resize's roi at 13) is taken
  // as optional at every version, as runtimes do.
  auto required = [](const ::onnx::OpSchema *in, size_t i) {
    return in && i < in->inputs().size() &&
           in->inputs()[i].GetOption() ==
               ::onnx::OpSchema::FormalParameterOption::Single;
  };
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i] && required(schema, i) && required(newest, i))
      return opType.str() + "'s input " + std::to_string(i) + " ('" +
             schema->inputs()[i].GetName() +
             "') is required, the node leaves it out";
  return {};
}
