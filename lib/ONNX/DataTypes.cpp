//===- DataTypes.cpp - ONNX data types and MLIR element types -------------===//

#include "mlc/ONNX/DataTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace {
// TensorProto.DataType, as numbered in onnx.proto (newer than the headers of
// some onnx packages, so spelled out here).
enum DataType : int32_t {
  UNDEFINED = 0, FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5,
  INT32 = 6, INT64 = 7, STRING = 8, BOOL = 9, FLOAT16 = 10, DOUBLE = 11,
  UINT32 = 12, UINT64 = 13, COMPLEX64 = 14, COMPLEX128 = 15, BFLOAT16 = 16,
  FLOAT8E4M3FN = 17, FLOAT8E4M3FNUZ = 18, FLOAT8E5M2 = 19,
  FLOAT8E5M2FNUZ = 20, UINT4 = 21, INT4 = 22
};
} // namespace

Type mlc::onnx_types::getElementType(MLIRContext *context, int32_t dataType) {
  Builder b(context);
  auto integer = [&](unsigned width, bool isSigned) -> Type {
    return IntegerType::get(context, width,
                            isSigned ? IntegerType::Signless
                                     : IntegerType::Unsigned);
  };
  switch (dataType) {
  case FLOAT: return b.getF32Type();
  case DOUBLE: return b.getF64Type();
  case FLOAT16: return b.getF16Type();
  case BFLOAT16: return b.getBF16Type();
  case FLOAT8E4M3FN: return b.getFloat8E4M3FNType();
  case FLOAT8E4M3FNUZ: return b.getFloat8E4M3FNUZType();
  case FLOAT8E5M2: return b.getFloat8E5M2Type();
  case FLOAT8E5M2FNUZ: return b.getFloat8E5M2FNUZType();
  case INT8: return integer(8, true);
  case INT16: return integer(16, true);
  case INT32: return integer(32, true);
  case INT64: return integer(64, true);
  case UINT8: return integer(8, false);
  case UINT16: return integer(16, false);
  case UINT32: return integer(32, false);
  case UINT64: return integer(64, false);
  case BOOL: return b.getI1Type();
  default: return nullptr;
  }
}

int32_t mlc::onnx_types::getDataType(Type type) {
  if (type.isF32()) return FLOAT;
  if (type.isF64()) return DOUBLE;
  if (type.isF16()) return FLOAT16;
  if (type.isBF16()) return BFLOAT16;
  if (type.isFloat8E4M3FN()) return FLOAT8E4M3FN;
  if (type.isFloat8E4M3FNUZ()) return FLOAT8E4M3FNUZ;
  if (type.isFloat8E5M2()) return FLOAT8E5M2;
  if (type.isFloat8E5M2FNUZ()) return FLOAT8E5M2FNUZ;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return UNDEFINED;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1: return BOOL;
  case 8: return isUnsigned ? UINT8 : INT8;
  case 16: return isUnsigned ? UINT16 : INT16;
  case 32: return isUnsigned ? UINT32 : INT32;
  case 64: return isUnsigned ? UINT64 : INT64;
  default: return UNDEFINED;
  }
}

std::string mlc::onnx_types::getDataTypeName(int32_t dataType) {
  static const char *names[] = {
      "UNDEFINED", "FLOAT",  "UINT8",  "INT8",      "UINT16",
      "INT16",     "INT32",  "INT64",  "STRING",    "BOOL",
      "FLOAT16",   "DOUBLE", "UINT32", "UINT64",    "COMPLEX64",
      "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ",
      "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4"};
  if (dataType >= 0 && dataType < int32_t(std::size(names)))
    return names[dataType];
  return std::to_string(dataType);
}
