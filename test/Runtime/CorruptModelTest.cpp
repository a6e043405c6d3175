//===- CorruptModelTest.cpp - Malformed .mlc files under ASan -------------===//
//
// A malformed file must give rt::Error, never a crash or an out-of-bounds
// access. This test is built with AddressSanitizer from the runtime's own
// sources (see CMakeLists.txt) and feeds the runtime damaged copies of the
// small compiled models of the MLCRuntimeModels fixture:
//
//  - truncated at every length (every one up to 4 KB, then every 97th);
//  - one byte changed, at every position of the FlatBuffer part (to b ^ 0xFF;
//    also to b ^ 0x01, b ^ 0x80, 0x00 and 0xFF at every position of resnet,
//    every 8th of the fcns), and at a sample of the weights;
//  - every aligned 32-bit word of the FlatBuffer part set to 0x7FFFFFFF,
//    0x80000000 and 0xFFFFFFFF;
//  - the precomputed plan's arena_size at the limits of uint64.
//
// Each copy is loaded with Model::fromBytes and, when that succeeds, run
// once with Backend::Reference (and a sample with Backend::Fast) at the
// first shape its input allows. Any exception other than rt::Error fails
// the test; an ASan report or a crash ends it, after a line that says which
// copy it was ("mlc-corrupt: ...").
//
// MLC_CORRUPT_BEGIN / MLC_CORRUPT_END (byte positions) limit the sweeps, to
// go on past a crash while investigating.
//
//===----------------------------------------------------------------------===//

#include "RuntimeModels.h"

#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/Model.h"
#include "mlc/Runtime/Session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <sanitizer/common_interface_defs.h>

using namespace mlc;
using namespace mlc::rt;

namespace {

// What is being tried, printed when ASan reports or the process dies.
char currentCase[256] = "no case yet";

void printCurrentCase() {
  std::fprintf(stderr, "\nmlc-corrupt: the failing case: %s\n", currentCase);
}

struct InstallDeathCallback {
  InstallDeathCallback() { __sanitizer_set_death_callback(printCurrentCase); }
} installDeathCallback;

size_t envSize(const char *name, size_t fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 0) : fallback;
}

// Inputs beyond this many elements are not made (a damaged dim): the case
// counts as loaded, not run. (ctest also sets ASAN_OPTIONS
// max_allocation_size_mb=2048 with allocator_may_return_null=1, so that an
// absurd arena fails to allocate, an rt::Error, rather than paging.)
constexpr int64_t kMaxInputElements = int64_t(1) << 22;

struct Counts {
  size_t cases = 0, loadErrors = 0, predictErrors = 0, predicted = 0,
         skipped = 0, otherExceptions = 0;
  void add(const Counts &o) {
    cases += o.cases, loadErrors += o.loadErrors;
    predictErrors += o.predictErrors, predicted += o.predicted;
    skipped += o.skipped, otherExceptions += o.otherExceptions;
  }
  std::string str() const {
    return std::to_string(cases) + " cases: " + std::to_string(loadErrors) +
           " rejected at load, " + std::to_string(predictErrors) +
           " rejected at predict, " + std::to_string(predicted) +
           " predicted, " + std::to_string(skipped) +
           " loaded but not run (no input of a sane size), " +
           std::to_string(otherExceptions) + " other exceptions";
  }
};

// The inputs of the first shape each input takes; false when one would be
// absurdly large or has a negative dim.
bool firstInputs(const Model &model, TensorMap &inputs) {
  for (const TensorInfo &info : model.inputs()) {
    std::vector<int64_t> shape;
    if (info.shapes.ranged) {
      for (const ShapeSet::Range &r : info.shapes.ranges)
        shape.push_back(r.min);
    } else if (!info.shapes.shapes.empty()) {
      shape = info.shapes.shapes[0];
    } else {
      return false;
    }
    int64_t count = 1;
    for (int64_t d : shape)
      if (d < 0 || d > kMaxInputElements ||
          __builtin_mul_overflow(count, d, &count) ||
          count > kMaxInputElements)
        return false;
    if (info.type == ElementType::f32) {
      inputs.emplace(info.name, mlc::test::patternTensor(shape, 42));
    } else {
      if (size_t(info.type) > size_t(ElementType::boolean))
        return false;
      inputs.emplace(info.name, Tensor(info.type, shape));
    }
  }
  return true;
}

// Loads `bytes` and, when that works, predicts once. Returns what happened;
// anything but rt::Error is a test failure.
void runCase(const uint8_t *bytes, size_t size, Backend backend,
             Counts &counts) {
  ++counts.cases;
  std::shared_ptr<const Model> model;
  try {
    model = Model::fromBytes(bytes, size, "corrupt.mlc");
  } catch (const Error &) {
    ++counts.loadErrors;
    return;
  } catch (const std::exception &e) {
    ++counts.otherExceptions;
    ADD_FAILURE() << currentCase << ": Model::fromBytes threw a "
                  << "non-rt::Error exception: " << e.what();
    return;
  }
  TensorMap inputs;
  try {
    if (!firstInputs(*model, inputs)) {
      ++counts.skipped;
      return;
    }
    // Untuned: tuning reruns the same kernels, several times a case.
    SessionOptions options{1, backend};
    options.tune = false;
    Session session(model, options);
    TensorMap outputs = session.predict(inputs);
    ++counts.predicted;
  } catch (const Error &) {
    ++counts.predictErrors;
  } catch (const std::exception &e) {
    ++counts.otherExceptions;
    ADD_FAILURE() << currentCase << ": predicting threw a non-rt::Error "
                  << "exception: " << e.what();
  }
}

// The precomputed plan's arena_size at the limits of its type: the session
// must refuse it (or fail to allocate it), not round it up past 2^64 into a
// tiny arena that the plan's offsets then overrun.
TEST(PrecomputedPlan, ArenaSizeExtremes) {
  std::string path = mlc::test::runtimeModelPath("resnet.mlc");
  ASSERT_FALSE(path.empty()) << "MLC_TEST_MODEL_DIR is not set";
  std::vector<uint8_t> original = mlc::test::readFileBytes(path);
  ASSERT_GT(original.size(), 1024u) << "cannot read " << path;
  auto model = Model::fromBytes(original.data(), original.size(), "resnet");
  ASSERT_TRUE(model->graph().plans() && model->graph().plans()->size() > 0);
  // Where arena_size lies in the file: the root table is at 4 + the root
  // offset (after the size prefix).
  const auto *plan = reinterpret_cast<const flatbuffers::Table *>(
      model->graph().plans()->Get(0));
  const uint8_t *field = plan->GetAddressOf(format::Plan::VT_ARENA_SIZE);
  ASSERT_NE(field, nullptr);
  uint32_t rootOffset;
  std::memcpy(&rootOffset, &original[4], 4);
  size_t pos = field - reinterpret_cast<const uint8_t *>(&model->graph()) +
               4 + rootOffset;
  uint64_t stored;
  std::memcpy(&stored, &original[pos], 8);
  ASSERT_EQ(stored, model->graph().plans()->Get(0)->arena_size());

  for (uint64_t value :
       {~uint64_t(0), ~uint64_t(0) - 62, ~uint64_t(0) - 63, uint64_t(1) << 63,
        (uint64_t(1) << 40) + 1, uint64_t(0), stored - 1}) {
    std::snprintf(currentCase, sizeof currentCase,
                  "resnet.mlc with arena_size %llu (byte %zu)",
                  (unsigned long long)value, pos);
    SCOPED_TRACE(currentCase);
    std::vector<uint8_t> copy = original;
    std::memcpy(&copy[pos], &value, 8);
    Counts counts;
    runCase(copy.data(), copy.size(), Backend::Reference, counts);
    EXPECT_EQ(counts.loadErrors + counts.predictErrors, 1u)
        << "an arena of " << value << " bytes was accepted";
  }
}

class CorruptModel : public ::testing::TestWithParam<const char *> {
protected:
  void SetUp() override {
    std::string path = mlc::test::runtimeModelPath(GetParam());
    ASSERT_FALSE(path.empty())
        << "MLC_TEST_MODEL_DIR is not set: run through ctest, or see "
           "test/Runtime/RuntimeModels.h";
    original = mlc::test::readFileBytes(path);
    ASSERT_GT(original.size(), 1024u) << "cannot read " << path;
    // The pristine model loads and predicts.
    std::snprintf(currentCase, sizeof currentCase, "%s unchanged", GetParam());
    std::shared_ptr<const Model> model;
    ASSERT_NO_THROW(model = Model::fromBytes(original.data(), original.size(),
                                             GetParam()));
    weightsOffset = model->graph().weights_offset();
    ASSERT_GT(weightsOffset, 0u);
    ASSERT_LE(weightsOffset, original.size());
    Counts counts;
    runCase(original.data(), original.size(), Backend::Reference, counts);
    ASSERT_EQ(counts.predicted, 1u) << "the unchanged model does not run";
    begin = envSize("MLC_CORRUPT_BEGIN", 0);
    end = std::min(envSize("MLC_CORRUPT_END", original.size()),
                   original.size());
  }

  void report(const char *what, const Counts &counts,
              std::chrono::steady_clock::time_point start) {
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    std::printf("[ sweep    ] %s, %s: %s (%.1f s)\n", GetParam(), what,
                counts.str().c_str(), seconds);
    RecordProperty(what, counts.str());
  }

  std::vector<uint8_t> original;
  size_t weightsOffset = 0, begin = 0, end = 0;
};

// The sweep's sessions are untuned; an intact model's tuned session (a
// warm-up run, alternative kernels timed and dropped, one-thread kernels
// among two-thread ones) must be as clean under ASan.
TEST(PrecomputedPlan, IntactModelsTuneAndPredict) {
  for (const char *file : {"resnet.mlc", "fcn.mlc"}) {
    SCOPED_TRACE(file);
    std::string path = mlc::test::runtimeModelPath(file);
    ASSERT_FALSE(path.empty()) << "MLC_TEST_MODEL_DIR is not set";
    auto model = Model::load(path);
    TensorMap inputs;
    ASSERT_TRUE(firstInputs(*model, inputs));
    Session session(model, {2, Backend::Fast});
    TensorMap first = session.predict(inputs), second;
    session.predict(inputs, second);
    EXPECT_EQ(first.size(), second.size());
  }
}

TEST_P(CorruptModel, TruncatedAtEveryLength) {
  auto start = std::chrono::steady_clock::now();
  Counts counts;
  size_t size = original.size();
  // Every length up to 4 KB, then every 97th, and the longest cut.
  std::vector<size_t> lengths;
  for (size_t length = 0; length < size; length += length < 4096 ? 1 : 97)
    lengths.push_back(length);
  lengths.push_back(size - 1);
  for (size_t length : lengths) {
    if (length < begin || length >= end)
      continue;
    std::snprintf(currentCase, sizeof currentCase,
                  "%s truncated to %zu of %zu bytes", GetParam(), length,
                  size);
    // A fresh allocation of exactly `length` bytes, so that ASan sees any
    // read past it.
    std::vector<uint8_t> cut(original.begin(), original.begin() + length);
    size_t rejected = counts.loadErrors;
    runCase(cut.data(), cut.size(), Backend::Reference, counts);
    EXPECT_EQ(counts.loadErrors, rejected + 1)
        << currentCase << ": not rejected by Model::fromBytes";
  }
  report("truncated", counts, start);
  EXPECT_EQ(counts.otherExceptions, 0u);
}

// Every position of the FlatBuffer part run with the reference kernels:
// changed to b ^ 0xFF, and at every `denseEvery`-th position also to
// b ^ 0x01, b ^ 0x80, 0x00 and 0xFF (every position of resnet; the fcns
// are slower to predict).
TEST_P(CorruptModel, EveryGraphByteChanged) {
  auto start = std::chrono::steady_clock::now();
  Counts counts;
  std::vector<uint8_t> copy = original;
  size_t denseEvery = std::string(GetParam()) == "resnet.mlc" ? 1 : 8;
  for (size_t pos = begin; pos < std::min(end, weightsOffset); ++pos) {
    uint8_t b = original[pos];
    uint8_t values[] = {uint8_t(b ^ 0xFF), uint8_t(b ^ 0x01),
                        uint8_t(b ^ 0x80), 0x00, 0xFF};
    size_t valueCount = pos % denseEvery ? 1 : sizeof values;
    for (size_t v = 0; v < valueCount; ++v) {
      bool repeated = values[v] == b;
      for (size_t w = 0; w < v; ++w)
        repeated |= values[w] == values[v];
      if (repeated)
        continue;
      std::snprintf(currentCase, sizeof currentCase,
                    "%s byte %zu changed from 0x%02x to 0x%02x, Reference",
                    GetParam(), pos, b, values[v]);
      copy[pos] = values[v];
      runCase(copy.data(), copy.size(), Backend::Reference, counts);
    }
    copy[pos] = b;
  }
  report("graph bytes changed (Reference)", counts, start);
  EXPECT_EQ(counts.otherExceptions, 0u);
}

// Every aligned 32-bit word of the FlatBuffer part set to extreme values
// (counts, indices, offsets, dims at their limits), reference kernels.
TEST_P(CorruptModel, EveryGraphWordExtreme) {
  auto start = std::chrono::steady_clock::now();
  Counts counts;
  std::vector<uint8_t> copy = original;
  for (size_t pos = (begin + 3) / 4 * 4; pos + 4 <= std::min(end, weightsOffset);
       pos += 4) {
    uint32_t word;
    std::memcpy(&word, &original[pos], 4);
    for (uint32_t value : {0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu}) {
      std::snprintf(currentCase, sizeof currentCase,
                    "%s word at byte %zu changed from 0x%08x to 0x%08x, "
                    "Reference",
                    GetParam(), pos, word, value);
      std::memcpy(&copy[pos], &value, 4);
      runCase(copy.data(), copy.size(), Backend::Reference, counts);
    }
    std::memcpy(&copy[pos], &word, 4);
  }
  report("graph words set to extremes", counts, start);
  EXPECT_EQ(counts.otherExceptions, 0u);
}

// A sample of the FlatBuffer part with the oneDNN backend, whose kernel
// factories read the same parameters.
TEST_P(CorruptModel, GraphBytesChangedFastSample) {
  auto start = std::chrono::steady_clock::now();
  Counts counts;
  std::vector<uint8_t> copy = original;
  for (size_t pos = begin; pos < std::min(end, weightsOffset); ++pos) {
    uint8_t b = original[pos];
    // b ^ 0xFF everywhere, and b + 1 at every third position.
    uint8_t values[] = {uint8_t(b ^ 0xFF), uint8_t(b + 1)};
    for (size_t v = 0; v < (pos % 3 ? 1 : 2); ++v) {
      std::snprintf(currentCase, sizeof currentCase,
                    "%s byte %zu changed from 0x%02x to 0x%02x, Fast",
                    GetParam(), pos, b, values[v]);
      copy[pos] = values[v];
      runCase(copy.data(), copy.size(), Backend::Fast, counts);
    }
    copy[pos] = b;
  }
  report("graph bytes changed (Fast)", counts, start);
  EXPECT_EQ(counts.otherExceptions, 0u);
}

// The weight section: changed weights load and run (values are not
// checked), sampled.
TEST_P(CorruptModel, WeightBytesChangedSample) {
  auto start = std::chrono::steady_clock::now();
  Counts counts;
  std::vector<uint8_t> copy = original;
  for (size_t pos = std::max(begin, weightsOffset);
       pos < std::min(end, original.size()); pos += 1009) {
    uint8_t b = original[pos];
    std::snprintf(currentCase, sizeof currentCase,
                  "%s weight byte %zu changed from 0x%02x to 0x%02x",
                  GetParam(), pos, b, b ^ 0xFF);
    copy[pos] = b ^ 0xFF;
    runCase(copy.data(), copy.size(), Backend::Reference, counts);
    copy[pos] = b;
  }
  report("weight bytes changed", counts, start);
  EXPECT_EQ(counts.otherExceptions, 0u);
  EXPECT_EQ(counts.loadErrors + counts.predictErrors, 0u)
      << "weight values alone made a model fail";
}

// resnet: a precomputed plan, Conv/Pool/GlobalPool/Gemm/Reshape.
// fcn_ranged: a ranged input's stored plans, Resize. fcn_unplanned: a plan
// made at run time from the file's shape expressions.
INSTANTIATE_TEST_SUITE_P(Models, CorruptModel,
                         ::testing::Values("resnet.mlc", "fcn_ranged.mlc",
                                           "fcn_unplanned.mlc"),
                         [](const auto &info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

} // namespace
