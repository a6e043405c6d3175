//===- Model.cpp - Loading and verifying a .mlc file ----------------------===//

#include "mlc/Runtime/Model.h"

#include "mlc/Format/Format.h"
#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/WeightEncoding.h"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlc::rt {

bool ShapeSet::contains(const std::vector<int64_t> &shape,
                        int64_t batch) const {
  // Dim i of one item (no copy of the shape: a prediction allocates
  // nothing).
  auto dim = [&](size_t i) {
    return i == 0 && batch > 0 ? shape[0] / batch : shape[i];
  };
  if (batch > 0 && !shape.empty() && shape[0] % batch)
    return false;
  if (!ranged) {
    for (const auto &s : shapes) {
      bool same = s.size() == shape.size();
      for (size_t i = 0; same && i < s.size(); ++i)
        same = s[i] == dim(i);
      if (same)
        return true;
    }
    return false;
  }
  if (shape.size() != ranges.size())
    return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    const Range &r = ranges[i];
    int64_t d = dim(i);
    if (d < r.min || d > r.max || (d - r.min) % r.step)
      return false;
  }
  return true;
}

bool ShapeSet::anySize() const {
  return ranged &&
         std::any_of(
             ranges.begin() + std::min<size_t>(ranges.size(), 1), ranges.end(),
             [](const Range &r) { return r.max == format::kUnboundedDim; });
}

std::string ShapeSet::describe() const {
  std::string text;
  if (!ranged) {
    for (size_t i = 0; i < shapes.size(); ++i)
      text += (i ? ", " : "") + formatShape(shapes[i]);
    return text;
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    const Range &r = ranges[i];
    text += i ? "x" : "";
    if (r.min == r.max) {
      text += std::to_string(r.min);
      continue;
    }
    if (r.min == 1 && r.max == format::kUnboundedDim && r.step == 1) {
      text += "?";
      continue;
    }
    text += "[" + std::to_string(r.min) + ".." + std::to_string(r.max);
    if (r.step != 1)
      text += " step " + std::to_string(r.step);
    text += "]";
  }
  return text;
}

namespace {

// An encoded weight of the file, as the decoder sees it.
EncodedWeight viewOf(const format::Weight &weight, const uint8_t *bytes) {
  EncodedWeight view;
  view.encoding = static_cast<WeightEncoding>(weight.encoding());
  view.bits = weight.bits();
  view.axis = weight.axis();
  view.isSigned = weight.signed_values();
  if (weight.scales()) {
    view.scales = weight.scales()->data();
    view.scaleCount = weight.scales()->size();
  }
  if (weight.zero_points()) {
    view.zeroPoints = weight.zero_points()->data();
    view.zeroPointCount = weight.zero_points()->size();
  }
  if (weight.lut()) {
    view.lut = weight.lut()->data();
    view.lutCount = weight.lut()->size();
  }
  view.groupChannels = weight.group_channels();
  view.bytes = bytes;
  view.byteCount = weight.length();
  return view;
}

// Checks of the file's contents; each failure names what is wrong.
class Verifier {
public:
  Verifier(const format::Model &model, const uint8_t *weightBytes,
           uint64_t weightsLength)
      : model(model), weightBytes(weightBytes), weightsLength(weightsLength) {}
  void run();

private:
  [[noreturn]] void fail(const std::string &message) { throw Error(message); }
  template <typename T> size_t count(const flatbuffers::Vector<T> *v) {
    return v ? v->size() : 0;
  }
  void checkExprs();
  void checkTensors();
  void checkInputs();
  void checkOps();
  void checkPlans();
  bool isConstantExpr(uint32_t index) const;

  const format::Model &model;
  const uint8_t *weightBytes;
  uint64_t weightsLength;
  size_t exprCount = 0, tensorCount = 0, symbolCount = 0;
};

void Verifier::run() {
  if (model.format_version() < format::kOldestFormatVersion ||
      model.format_version() > format::kFormatVersion)
    fail("format version " + std::to_string(model.format_version()) +
         ", but this runtime reads versions " +
         std::to_string(format::kOldestFormatVersion) + " to " +
         std::to_string(format::kFormatVersion) +
         " (compile the model again with this mlc)");
  if (!model.exprs() || !model.tensors() || !model.inputs() ||
      !model.outputs() || !model.ops() || !model.symbols())
    fail("a required table is missing");
  exprCount = model.exprs()->size();
  tensorCount = model.tensors()->size();
  symbolCount = model.symbols()->size();
  checkExprs();
  checkTensors();
  checkInputs();
  checkOps();
  checkPlans();
  int32_t batch = model.batch_symbol();
  if (batch < -1 || (batch >= 0 && size_t(batch) >= symbolCount))
    fail("the batch symbol is out of range");
}

void Verifier::checkExprs() {
  for (size_t e = 0; e < exprCount; ++e) {
    const format::Expr *expr = model.exprs()->Get(e);
    if (!expr || !expr->terms() || expr->terms()->size() == 0 ||
        expr->terms()->size() > format::kMaxExprTerms)
      fail("expression " + std::to_string(e) + " is empty or too long");
    int64_t depth = 0;
    for (const format::ExprTerm *term : *expr->terms()) {
      switch (term->op()) {
      case format::ExprOp::symbol:
        if (term->value() < 0 || uint64_t(term->value()) >= symbolCount)
          fail("expression " + std::to_string(e) + " names a missing symbol");
        [[fallthrough]];
      case format::ExprOp::constant:
        ++depth;
        break;
      case format::ExprOp::add:
      case format::ExprOp::mul:
      case format::ExprOp::floordiv:
      case format::ExprOp::ceildiv:
      case format::ExprOp::mod:
        if (--depth < 1)
          fail("expression " + std::to_string(e) + " is malformed");
        break;
      default:
        fail("expression " + std::to_string(e) + " has an unknown operation");
      }
    }
    if (depth != 1)
      fail("expression " + std::to_string(e) + " is malformed");
  }
}

bool Verifier::isConstantExpr(uint32_t index) const {
  const auto *terms = model.exprs()->Get(index)->terms();
  return terms->size() == 1 && terms->Get(0)->op() == format::ExprOp::constant;
}

void Verifier::checkTensors() {
  for (size_t t = 0; t < tensorCount; ++t) {
    const format::Tensor *tensor = model.tensors()->Get(t);
    std::string name = "tensor " + std::to_string(t);
    if (!tensor || !tensor->name() || !tensor->shape())
      fail(name + " is incomplete");
    name = "tensor '" + tensor->name()->str() + "'";
    if (tensor->type() > format::ElementType::MAX)
      fail(name + " has an unknown element type");
    if (tensor->shape()->size() > format::kMaxRank)
      fail(name + " has rank " + std::to_string(tensor->shape()->size()));
    for (uint32_t e : *tensor->shape())
      if (e >= exprCount)
        fail(name + " has a dim with a missing expression");
    if (const format::Weight *weight = tensor->weight()) {
      std::vector<int64_t> shape;
      uint64_t count = 1;
      for (uint32_t e : *tensor->shape()) {
        if (!isConstantExpr(e))
          fail(name + " is a weight with a varying dim");
        int64_t d = model.exprs()->Get(e)->terms()->Get(0)->value();
        if (d < 0 || __builtin_mul_overflow(count, uint64_t(d), &count))
          fail(name + " has an invalid dim");
        shape.push_back(d);
      }
      if (weight->offset() % format::kWeightAlignment ||
          weight->offset() > weightsLength ||
          weight->length() > weightsLength - weight->offset())
        fail(name + ": its weight lies outside the weight section");
      if (weight->encoding() == format::WeightEncoding::raw) {
        uint64_t bytes;
        if (__builtin_mul_overflow(
                count, elementSize(static_cast<ElementType>(tensor->type())),
                &bytes) ||
            weight->length() != bytes)
          fail(name + ": its weight holds " + std::to_string(weight->length()) +
               " bytes, its shape needs " + std::to_string(bytes));
        continue;
      }
      if (weight->encoding() > format::WeightEncoding::MAX)
        fail(name + " has an unknown weight encoding (a newer mlc wrote it)");
      if (tensor->type() != format::ElementType::f32)
        fail(name + " is an encoded weight but not float32");
      std::string problem = checkEncodedWeight(
          viewOf(*weight, weightBytes + weight->offset()), shape);
      if (!problem.empty())
        fail(name + ": " + problem);
    }
  }
}

void Verifier::checkInputs() {
  for (const format::Input *input : *model.inputs()) {
    if (!input || input->tensor() >= tensorCount)
      fail("an input names a missing tensor");
    const format::Tensor *tensor = model.tensors()->Get(input->tensor());
    std::string name = "input '" + tensor->name()->str() + "'";
    if (tensor->weight())
      fail(name + " is a weight");
    const format::ShapeSet *set = input->shapes();
    if (!set)
      fail(name + " has no shape set");
    size_t rank = tensor->shape()->size();
    if (set->kind() == format::ShapeSetKind::enumerated) {
      if (!set->shapes() || set->shapes()->size() == 0)
        fail(name + " takes no shapes");
      for (const format::Dims *dims : *set->shapes())
        if (!dims || !dims->values() || dims->values()->size() != rank)
          fail(name + " has a shape of the wrong rank in its set");
    } else if (set->kind() == format::ShapeSetKind::ranged) {
      if (!set->ranges() || set->ranges()->size() != rank)
        fail(name + " has ranges of the wrong rank");
      for (const format::DimRange *r : *set->ranges())
        if (r->min() < 0 || r->max() < r->min() || r->step() < 1)
          fail(name + " has an invalid range");
    } else {
      fail(name + " has an unknown kind of shape set");
    }
  }
  for (const format::Symbol *symbol : *model.symbols()) {
    if (!symbol || symbol->input() >= model.inputs()->size())
      fail("a size symbol names a missing input");
    uint32_t t = model.inputs()->Get(symbol->input())->tensor();
    if (symbol->dim() >= model.tensors()->Get(t)->shape()->size())
      fail("a size symbol names a missing dim");
  }
  for (uint32_t t : *model.outputs())
    if (t >= tensorCount)
      fail("an output names a missing tensor");
}

void Verifier::checkOps() {
  // Every activation is defined once (as an input or by one op) before it
  // is read.
  std::vector<bool> defined(tensorCount, false);
  for (const format::Input *input : *model.inputs()) {
    if (defined[input->tensor()])
      fail("two inputs name one tensor");
    defined[input->tensor()] = true;
  }
  for (size_t t = 0; t < tensorCount; ++t)
    if (model.tensors()->Get(t)->weight())
      defined[t] = true;
  for (size_t i = 0; i < model.ops()->size(); ++i) {
    const format::Op *op = model.ops()->Get(i);
    std::string name = "op " + std::to_string(i);
    if (!op || !op->inputs() || !op->outputs() ||
        op->params_type() == format::OpParams::NONE || !op->params())
      fail(name + " is incomplete");
    if (op->name())
      name += " '" + op->name()->str() + "'";
    for (int32_t t : *op->inputs()) {
      if (t < -1 || t >= int64_t(tensorCount))
        fail(name + " reads a missing tensor");
      if (t >= 0 && !defined[t])
        fail(name + " reads a tensor before it is computed");
    }
    if (op->outputs()->size() == 0)
      fail(name + " has no results");
    for (int32_t t : *op->outputs()) {
      if (t < 0 || t >= int64_t(tensorCount))
        fail(name + " writes a missing tensor");
      if (defined[t])
        fail(name + " writes a tensor that is already computed");
      defined[t] = true;
    }
  }
  for (uint32_t t : *model.outputs())
    if (!defined[t])
      fail("output '" + model.tensors()->Get(t)->name()->str() +
           "' is never computed");
}

void Verifier::checkPlans() {
  if (!model.plans())
    return;
  size_t dimCount = 0;
  for (const format::Tensor *tensor : *model.tensors())
    dimCount += tensor->shape()->size();
  for (const format::Plan *plan : *model.plans())
    if (!plan || count(plan->symbol_values()) != symbolCount ||
        count(plan->dims()) != dimCount || count(plan->offsets()) != tensorCount)
      fail("a precomputed plan does not fit the model");
}

void *mapFile(const std::string &path, size_t &size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  size = info.st_size;
  if (size == 0) {
    ::close(fd);
    throw Error(path + ": empty file, not an .mlc model");
  }
  void *data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (data == MAP_FAILED)
    throw Error(path + ": cannot map: " + std::strerror(errno));
  return data;
}

} // namespace

std::shared_ptr<const Model> Model::load(const std::string &path) {
  std::shared_ptr<Model> model(new Model());
  model->name = path;
  model->bytes = static_cast<const uint8_t *>(mapFile(path, model->size));
  model->mapped = true;
  model->verify();
  return model;
}

std::shared_ptr<const Model> Model::fromBytes(const void *data, size_t size,
                                              const std::string &name) {
  std::shared_ptr<Model> model(new Model());
  model->name = name;
  // A 64-byte aligned copy, as a mapping would be.
  model->owned.resize(size + format::kWeightAlignment);
  uint8_t *base = model->owned.data();
  base += (format::kWeightAlignment -
           reinterpret_cast<uintptr_t>(base) % format::kWeightAlignment) %
          format::kWeightAlignment;
  if (size)
    std::memcpy(base, data, size);
  model->bytes = base;
  model->size = size;
  model->verify();
  return model;
}

Model::~Model() {
  if (mapped && bytes)
    ::munmap(const_cast<uint8_t *>(bytes), size);
}

// Encoded weights become float32 once, here: the kernels read plain
// weights, and the file's bytes stay mapped for the raw ones.
void Model::decodeWeights() {
  const auto &tensors = *root->tensors();
  weightPointers.assign(tensors.size(), nullptr);
  for (size_t t = 0; t < tensors.size(); ++t) {
    const format::Weight *weight = tensors[t]->weight();
    if (!weight)
      continue;
    if (weight->encoding() == format::WeightEncoding::raw) {
      weightPointers[t] = weightBytes + weight->offset();
      continue;
    }
    std::vector<int64_t> shape;
    for (uint32_t e : *tensors[t]->shape())
      shape.push_back(root->exprs()->Get(e)->terms()->Get(0)->value());
    Tensor decodedTensor(ElementType::f32, shape);
    decodeWeight(viewOf(*weight, weightBytes + weight->offset()), shape,
                 decodedTensor.data<float>());
    weightPointers[t] = decodedTensor.data<uint8_t>();
    decoded.push_back(std::move(decodedTensor));
  }
}

bool Model::batchable() const { return root->batch_symbol() >= 0; }

std::string Model::producer() const {
  return root->producer() ? root->producer()->str() : "";
}

void Model::verify() {
  try {
    // The file starts with the FlatBuffer, size-prefixed, so that it is
    // verified on its own bytes; the weight section follows it.
    if (size < 12 || !flatbuffers::BufferHasIdentifier(
                         bytes, format::ModelIdentifier(), true))
      throw Error("not an .mlc model (no MLC1 identifier)");
    uint64_t graphSize = uint64_t(flatbuffers::GetPrefixedSize(bytes)) +
                         sizeof(flatbuffers::uoffset_t);
    if (graphSize > size || graphSize >= FLATBUFFERS_MAX_BUFFER_SIZE)
      throw Error("the file is truncated (its graph needs " +
                  std::to_string(graphSize) + " bytes, the file has " +
                  std::to_string(size) + ")");
    flatbuffers::Verifier graph(bytes, graphSize);
    if (!format::VerifySizePrefixedModelBuffer(graph))
      throw Error("the model's graph is corrupt (FlatBuffers verification "
                  "failed)");
    const format::Model *unverified = format::GetSizePrefixedModel(bytes);
    uint64_t weightsOffset = unverified->weights_offset();
    uint64_t weightsLength = unverified->weights_length();
    if (weightsOffset % format::kWeightAlignment || weightsOffset < graphSize ||
        weightsOffset > size || weightsLength > size - weightsOffset)
      throw Error("the weight section lies outside the file (truncated?)");
    root = unverified;
    weightBytes = bytes + weightsOffset;
    Verifier(*root, weightBytes, weightsLength).run();
    decodeWeights();
  } catch (const Error &e) {
    throw Error(name + ": " + e.what());
  }

  auto describe = [&](uint32_t t) {
    const format::Tensor *tensor = root->tensors()->Get(t);
    TensorInfo info;
    info.name = tensor->name()->str();
    info.type = static_cast<ElementType>(tensor->type());
    for (uint32_t e : *tensor->shape()) {
      const auto *terms = root->exprs()->Get(e)->terms();
      bool constant =
          terms->size() == 1 && terms->Get(0)->op() == format::ExprOp::constant;
      info.shape.push_back(constant ? terms->Get(0)->value() : -1);
    }
    return info;
  };
  for (const format::Input *input : *root->inputs()) {
    TensorInfo info = describe(input->tensor());
    const format::ShapeSet *set = input->shapes();
    info.shapes.ranged = set->kind() == format::ShapeSetKind::ranged;
    if (set->shapes())
      for (const format::Dims *dims : *set->shapes())
        info.shapes.shapes.emplace_back(dims->values()->begin(),
                                        dims->values()->end());
    if (set->ranges())
      for (const format::DimRange *r : *set->ranges())
        info.shapes.ranges.push_back({r->min(), r->max(), r->step()});
    inputInfos.push_back(std::move(info));
  }
  for (uint32_t t : *root->outputs())
    outputInfos.push_back(describe(t));
}

} // namespace mlc::rt
