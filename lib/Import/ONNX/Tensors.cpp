//===- Tensors.cpp - ONNX tensors to element attributes -------------------===//

#include "Importer.h"
#include "mlc/ONNX/DataTypes.h"

#include "mlir/IR/AsmState.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <cstring>

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;
using namespace mlc::onnx_import;

// Copies `count` values of the typed field `values` into little-endian bytes
// of `width` each, as raw_data would hold them.
template <typename T>
static std::vector<char> packValues(const T &values, unsigned width) {
  std::vector<char> bytes(values.size() * width);
  for (int i = 0; i < values.size(); ++i) {
    auto v = values.Get(i);
    std::memcpy(bytes.data() + i * width, &v, width);
  }
  return bytes;
}

// A blob that owns a heap copy of `bytes`, aligned for the element type.
static AsmResourceBlob copyBlob(ArrayRef<char> bytes, size_t align) {
  return HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, align);
}

FailureOr<ElementsAttr> TensorImporter::import(::onnx::TensorProto &tensor,
                                               Location loc, StringRef what) {
  Type elementType = onnx_types::getElementType(context, tensor.data_type());
  if (!elementType)
    return emitError(loc) << what << " has the data type "
                          << onnx_types::getDataTypeName(tensor.data_type())
                          << (tensor.data_type() > 22 || tensor.data_type() < 0
                                  ? ", which ONNX does not define"
                                  : ", which mlc does not support");
  SmallVector<int64_t> dims;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0)
      return emitError(loc) << what << " has the negative dim " << d;
    if (d > 0 && count > (int64_t(1) << 50) / d)
      return emitError(loc) << what << " has too many elements";
    dims.push_back(d);
    count *= d;
  }
  auto type = RankedTensorType::get(dims, elementType);
  unsigned width = nn::getByteWidth(elementType);
  uint64_t bytes = uint64_t(count) * width;

  // Left out by readModel: the same bytes as a weight already stored.
  if (reused.contains(tensor.name())) {
    DenseResourceElementsAttr stored = known.lookup(tensor.name());
    if (stored && stored.getRawHandle().getBlob() &&
        stored.getRawHandle().getBlob()->getData().size() == bytes) {
      sharedBytes += bytes;
      return cast<ElementsAttr>(
          DenseResourceElementsAttr::get(type, stored.getRawHandle()));
    }
    return emitError(loc) << what << " was left out as a known weight of "
                          << bytes << " bytes, but no such weight is stored";
  }
  std::string shape = formatDims(dims) + " " +
                      onnx_types::getDataTypeName(tensor.data_type());

  // Where the bytes are: an external file, raw_data, or a typed field.
  AsmResourceBlob blob;
  if (tensor.data_location() == ::onnx::TensorProto::EXTERNAL) {
    FailureOr<AsmResourceBlob> external = readExternal(tensor, bytes, loc, what);
    if (failed(external))
      return failure();
    blob = std::move(*external);
  } else if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != bytes)
      return emitError(loc) << what << " holds " << tensor.raw_data().size()
                            << " bytes but its shape " << shape << " needs "
                            << bytes;
    // Take over protobuf's string: the weights stay where they were parsed.
    std::string *owned = tensor.release_raw_data();
    if (reinterpret_cast<uintptr_t>(owned->data()) % width != 0) {
      blob = copyBlob(ArrayRef<char>(owned->data(), owned->size()), width);
      delete owned;
    } else {
      blob = AsmResourceBlob(
          ArrayRef<char>(owned->data(), owned->size()), width,
          [owned](void *, size_t, size_t) { delete owned; },
          /*dataIsMutable=*/true);
    }
  } else {
    std::vector<char> packed;
    int64_t given = -1;
    switch (tensor.data_type()) {
    case ::onnx::TensorProto::FLOAT:
      packed = packValues(tensor.float_data(), width);
      given = tensor.float_data_size();
      break;
    case ::onnx::TensorProto::DOUBLE:
      packed = packValues(tensor.double_data(), width);
      given = tensor.double_data_size();
      break;
    case ::onnx::TensorProto::INT64:
      packed = packValues(tensor.int64_data(), width);
      given = tensor.int64_data_size();
      break;
    case ::onnx::TensorProto::UINT32:
    case ::onnx::TensorProto::UINT64:
      packed = packValues(tensor.uint64_data(), width);
      given = tensor.uint64_data_size();
      break;
    default: // the narrow types, float16 and bool live in int32_data
      packed = packValues(tensor.int32_data(), width);
      given = tensor.int32_data_size();
      break;
    }
    if (given != count)
      return emitError(loc) << what << " holds " << given
                            << " values but its shape " << shape << " needs "
                            << count;
    blob = copyBlob(packed, width);
  }

  ArrayRef<char> data = blob.getData();
  if (elementType.isInteger(1)) {
    SmallVector<bool> values;
    for (char c : data)
      values.push_back(c != 0);
    return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
  }
  if (count <= kMaxInlineElements)
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, data));
  return makeAttr(type, tensor.name().empty() ? "tensor" : tensor.name(),
                  std::move(blob));
}

FailureOr<ElementsAttr> TensorImporter::makeAttr(RankedTensorType type,
                                                 StringRef name,
                                                 AsmResourceBlob blob) {
  ArrayRef<char> data = blob.getData();
  uint64_t hash = llvm::xxh3_64bits(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data.data()),
                        data.size()));
  auto &candidates = blobsByHash[hash];
  for (DenseResourceElementsHandle &handle : candidates) {
    ArrayRef<char> stored = handle.getBlob()->getData();
    if (stored.size() == data.size() &&
        std::memcmp(stored.data(), data.data(), data.size()) == 0) {
      sharedBytes += data.size();
      return cast<ElementsAttr>(DenseResourceElementsAttr::get(type, handle));
    }
  }
  std::string tensorName = name.str();
  // Blob keys print bare in MLIR text: keep them to identifier characters
  // ("onnx::Conv_123" becomes "onnx__Conv_123") so the text parses back.
  std::string key = name.str();
  for (char &c : key)
    if (!llvm::isAlnum(c) && c != '_' && c != '.')
      c = '_';
  if (!llvm::isAlpha(key[0]) && key[0] != '_')
    key.insert(key.begin(), '_');
  auto attr = DenseResourceElementsAttr::get(type, key, std::move(blob));
  candidates.push_back(attr.getRawHandle());
  known.try_emplace(tensorName, attr);
  return cast<ElementsAttr>(attr);
}

FailureOr<AsmResourceBlob>
TensorImporter::readExternal(const ::onnx::TensorProto &tensor, uint64_t bytes,
                             Location loc, StringRef what) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : tensor.external_data()) {
    StringRef value = entry.value();
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      uint64_t number;
      if (value.getAsInteger(10, number))
        return emitError(loc) << what << " has the external data "
                              << entry.key() << " '" << value
                              << "', which is not a number";
      (entry.key() == "offset" ? offset : length.emplace()) = number;
    }
  }
  if (location.empty())
    return emitError(loc) << what << " is external but names no file";
  // Like other runtimes, read only files beside the model.
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    return emitError(loc) << what << " names the external data file '"
                          << location
                          << "', outside the model's folder";
  SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  uint64_t fileSize;
  if (std::error_code ec = llvm::sys::fs::file_size(path, fileSize))
    return emitError(loc) << what << ": external data file '" << location
                          << "' cannot be read (" << path << ": "
                          << ec.message() << ")";
  uint64_t size = length.value_or(fileSize > offset ? fileSize - offset : 0);
  if (offset + size > fileSize)
    return emitError(loc) << what << ": external data file '" << location
                          << "' has " << fileSize << " bytes, fewer than offset "
                          << offset << " + length " << size;
  if (size != bytes)
    return emitError(loc) << what << " has " << size
                          << " bytes of external data but its shape needs "
                          << bytes;
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, size, offset);
  if (!buffer)
    return emitError(loc) << what << ": external data file '" << location
                          << "' cannot be read: " << buffer.getError().message();
  unsigned width = std::max<unsigned>(
      1, nn::getByteWidth(onnx_types::getElementType(context, tensor.data_type())));
  ArrayRef<char> data((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  if (reinterpret_cast<uintptr_t>(data.data()) % width != 0)
    return copyBlob(data, width);
  // Keep the (possibly mapped) file slice alive as long as the blob.
  llvm::MemoryBuffer *owned = buffer->release();
  return AsmResourceBlob(
      data, width, [owned](void *, size_t, size_t) { delete owned; },
      /*dataIsMutable=*/false);
}
