//===- Planner.cpp - Shapes and memory for one input size -----------------===//

#include "mlc/Runtime/Planner.h"

#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/Tensor.h"

#include <algorithm>
#include <limits>

namespace mlc::rt {
namespace {

constexpr int64_t kMaxBytes = kMaxPlanBytes;
constexpr int64_t kAlignment = 64;

[[noreturn]] void fail(const std::string &message) { throw Error(message); }

int64_t checkedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    fail("a size overflows 64 bits");
  return r;
}

// Whether `op` may write its result over input `operand` (same bytes, same
// dims): elementwise ops read each element before they write it.
bool mayWriteOver(const format::Op &op, unsigned operand) {
  switch (op.params_type()) {
  case format::OpParams::UnaryParams:
  case format::OpParams::ClipParams:
  case format::OpParams::BatchNormParams:
  case format::OpParams::ReshapeParams:
    return operand == 0;
  case format::OpParams::BinaryParams:
    return operand <= 1;
  case format::OpParams::ConvParams:
    // The residual: conv kernels accumulate into it.
    return operand == 3;
  default:
    return false;
  }
}

// The lowest 64-byte aligned offset where `bytes` fit without overlapping a
// placed buffer live at the same time as [first, last].
int64_t lowestFreeOffset(const std::vector<Buffer> &placed, int64_t first,
                         int64_t last, int64_t bytes) {
  std::vector<std::pair<int64_t, int64_t>> busy;
  for (const Buffer &other : placed)
    if (other.first <= last && first <= other.last)
      busy.push_back({other.offset, other.offset + int64_t(other.bytes)});
  std::sort(busy.begin(), busy.end());
  int64_t offset = 0;
  for (auto [begin, stop] : busy) {
    if (offset + bytes <= begin)
      break;
    offset = std::max(offset, (stop + kAlignment - 1) / kAlignment * kAlignment);
  }
  return offset;
}

} // namespace

std::vector<Lifetime> tensorLifetimes(const format::Model &model) {
  const auto &ops = *model.ops();
  int64_t end = ops.size();
  std::vector<Lifetime> result(model.tensors()->size(), {end + 1, -2});
  for (const format::Input *input : *model.inputs())
    result[input->tensor()] = {-1, -1};
  for (int64_t i = 0; i < end; ++i) {
    for (int32_t t : *ops[i]->inputs())
      if (t >= 0)
        result[t].last = std::max(result[t].last, i);
    for (int32_t t : *ops[i]->outputs()) {
      result[t].first = std::min(result[t].first, i);
      result[t].last = std::max(result[t].last, i);
    }
  }
  for (uint32_t t : *model.outputs())
    result[t].last = end;
  return result;
}

uint64_t placeBuffers(std::vector<Buffer> &buffers,
                      const std::vector<Buffer> &placed) {
  uint64_t size = 0;
  std::vector<Buffer> all = placed;
  for (const Buffer &buffer : placed)
    size = std::max<uint64_t>(size, buffer.offset + buffer.bytes);
  std::vector<size_t> order(buffers.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return buffers[a].bytes > buffers[b].bytes;
  });
  for (size_t i : order) {
    Buffer &buffer = buffers[i];
    if (buffer.bytes > uint64_t(kMaxBytes))
      fail("the memory plan would place a buffer of " +
           std::to_string(buffer.bytes) + " bytes");
    buffer.offset = lowestFreeOffset(all, buffer.first, buffer.last,
                                     int64_t(buffer.bytes));
    all.push_back(buffer);
    size = std::max<uint64_t>(size, buffer.offset + buffer.bytes);
    if (size > uint64_t(kMaxBytes))
      fail("the memory plan would take " + std::to_string(size) + " bytes");
  }
  return size;
}

void placeExtraBuffers(const format::Model &model, PlanData &plan,
                       std::vector<Buffer> &extras) {
  std::vector<Lifetime> lifetimes = tensorLifetimes(model);
  const auto &tensors = *model.tensors();
  std::vector<Buffer> placed;
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (plan.offsets[t] < 0)
      continue;
    int64_t bytes = elementSize(static_cast<ElementType>(tensors[t]->type()));
    for (int64_t d : plan.dims[t])
      bytes = checkedMul(bytes, d);
    placed.push_back({lifetimes[t].first, lifetimes[t].last, uint64_t(bytes),
                      plan.offsets[t]});
  }
  plan.arenaSize = std::max(plan.arenaSize, placeBuffers(extras, placed));
}

std::vector<int64_t> evaluateExprs(const format::Model &model,
                                   const std::vector<int64_t> &symbolValues) {
  std::vector<int64_t> values;
  const auto *exprs = model.exprs();
  if (!exprs)
    return values;
  values.reserve(exprs->size());
  std::vector<int64_t> stack;
  for (const format::Expr *expr : *exprs) {
    stack.clear();
    for (const format::ExprTerm *term : *expr->terms()) {
      int64_t value = term->value();
      if (term->op() == format::ExprOp::constant) {
        stack.push_back(value);
        continue;
      }
      if (term->op() == format::ExprOp::symbol) {
        if (value < 0 || size_t(value) >= symbolValues.size())
          fail("an expression names size symbol " + std::to_string(value) +
               ", which the model does not have");
        stack.push_back(symbolValues[value]);
        continue;
      }
      if (stack.size() < 2)
        fail("a malformed shape expression");
      int64_t b = stack.back();
      stack.pop_back();
      int64_t a = stack.back(), r = 0;
      bool overflow = false;
      switch (term->op()) {
      case format::ExprOp::add:
        overflow = __builtin_add_overflow(a, b, &r);
        break;
      case format::ExprOp::mul:
        overflow = __builtin_mul_overflow(a, b, &r);
        break;
      case format::ExprOp::floordiv:
      case format::ExprOp::ceildiv:
      case format::ExprOp::mod: {
        if (b <= 0)
          fail("a shape expression divides by " + std::to_string(b));
        int64_t q = a / b, m = a % b;
        if (m < 0) {
          m += b;
          --q;
        }
        r = term->op() == format::ExprOp::mod        ? m
            : term->op() == format::ExprOp::floordiv ? q
                                                     : q + (m != 0);
        break;
      }
      default:
        fail("a shape expression with an unknown operation");
      }
      if (overflow)
        fail("a shape expression overflows 64 bits");
      stack.back() = r;
    }
    if (stack.size() != 1)
      fail("a malformed shape expression");
    values.push_back(stack.back());
  }
  return values;
}

PlanData planModel(const format::Model &model,
                   const std::vector<int64_t> &symbolValues) {
  PlanData plan;
  plan.symbolValues = symbolValues;
  plan.exprValues = evaluateExprs(model, symbolValues);
  const auto &tensors = *model.tensors();
  size_t tensorCount = tensors.size();
  plan.dims.resize(tensorCount);
  plan.offsets.assign(tensorCount, -1);
  std::vector<int64_t> bytes(tensorCount, 0);
  for (size_t t = 0; t < tensorCount; ++t) {
    const format::Tensor *tensor = tensors[t];
    int64_t count = 1;
    for (uint32_t e : *tensor->shape()) {
      int64_t d = plan.exprValues.at(e);
      if (d < 0)
        fail("tensor '" + tensor->name()->str() + "' would have a dim of " +
             std::to_string(d));
      plan.dims[t].push_back(d);
      count = checkedMul(count, d);
    }
    bytes[t] = checkedMul(
        count, elementSize(static_cast<ElementType>(tensor->type())));
    if (bytes[t] > kMaxBytes)
      fail("tensor '" + tensor->name()->str() + "' would take " +
           std::to_string(bytes[t]) + " bytes");
  }

  const auto &ops = *model.ops();
  int64_t end = ops.size();
  std::vector<Lifetime> lifetimes = tensorLifetimes(model);
  std::vector<int64_t> first(tensorCount), last(tensorCount);
  for (size_t t = 0; t < tensorCount; ++t)
    first[t] = lifetimes[t].first, last[t] = lifetimes[t].last;
  auto isActivation = [&](int64_t t) { return !tensors[t]->weight(); };
  std::vector<bool> isOutput(tensorCount, false);
  for (uint32_t t : *model.outputs())
    isOutput[t] = true;

  // Buffers: a tensor written over its operand shares that operand's buffer.
  std::vector<int64_t> buffer(tensorCount, -1);
  std::vector<Buffer> buffers;
  auto newBuffer = [&](int64_t t) {
    buffer[t] = buffers.size();
    buffers.push_back({first[t], last[t], uint64_t(bytes[t])});
  };
  for (const format::Input *input : *model.inputs())
    if (buffer[input->tensor()] < 0)
      newBuffer(input->tensor());
  for (int64_t i = 0; i < end; ++i) {
    const format::Op &op = *ops[i];
    for (int32_t out : *op.outputs()) {
      if (buffer[out] >= 0 || !isActivation(out))
        continue;
      int64_t shared = -1;
      if (op.outputs()->size() == 1 && !isOutput[out]) {
        const auto &operands = *op.inputs();
        for (unsigned k = 0; k < operands.size() && shared < 0; ++k) {
          int32_t in = operands[k];
          if (in >= 0 && buffer[in] >= 0 && mayWriteOver(op, k) &&
              last[in] == i && bytes[in] == bytes[out] &&
              tensors[in]->type() == tensors[out]->type() &&
              plan.dims[in] == plan.dims[out] &&
              buffers[buffer[in]].last == i)
            shared = buffer[in];
        }
      }
      if (shared >= 0) {
        buffer[out] = shared;
        buffers[shared].last = last[out];
      } else {
        newBuffer(out);
      }
    }
  }

  // Greedy by size: the largest buffers first, each at the lowest offset
  // free of the placed buffers it is live with.
  plan.arenaSize = placeBuffers(buffers);
  for (size_t t = 0; t < tensorCount; ++t)
    if (buffer[t] >= 0)
      plan.offsets[t] = buffers[buffer[t]].offset;
  return plan;
}

} // namespace mlc::rt
