//===- Compare.cpp - Two models' outputs side by side ----------------------===//
//
// Runs a reference and a test model on the same samples and measures, per
// output, how far the test's values are from the reference's. The
// synthetic samples come from a fixed generator (splitmix64, Box-Muller),
// not from <random>'s distributions, whose output differs between standard
// libraries: the same models give the same figures everywhere.
//
//===----------------------------------------------------------------------===//

#include "mlc/Quantization/Compare.h"
#include "mlc/Format/Format.h"
#include "mlc/Runtime/WeightEncoding.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

namespace mlc::quant {
namespace {

using namespace mlc::rt;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

//===----------------------------------------------------------------------===//
// Synthetic values
//===----------------------------------------------------------------------===//

uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A uniform double in (0, 1]: 53 random bits, never 0 (Box-Muller takes its
// logarithm).
double uniform(uint64_t &state) {
  return double((splitmix64(state) >> 11) + 1) * 0x1.0p-53;
}

// Standard normal values, two at a time (Box-Muller).
struct Normal {
  uint64_t state;
  bool haveSpare = false;
  double spare = 0;
  double next() {
    if (haveSpare) {
      haveSpare = false;
      return spare;
    }
    double r = std::sqrt(-2.0 * std::log(uniform(state)));
    double t = 2.0 * M_PI * uniform(state);
    spare = r * std::sin(t);
    haveSpare = true;
    return r * std::cos(t);
  }
};


bool isFloatType(ElementType type) {
  return type == ElementType::f32 || type == ElementType::f64 ||
         type == ElementType::f16 || type == ElementType::bf16;
}

Tensor syntheticTensor(const TensorInfo &info,
                       const std::vector<int64_t> &shape, int sample,
                       uint64_t seed, size_t inputIndex) {
  Tensor tensor(info.type, shape);
  int64_t n = tensor.elementCount();
  uint64_t state = seed ^ (uint64_t(sample) * 0x9e3779b97f4a7c15ull) ^
                   (uint64_t(inputIndex + 1) * 0xd1b54a32d192ed03ull);
  Normal normal{state};
  auto floatValue = [&](int64_t i) {
    // Sample 0: the smooth pattern `mlc run` feeds.
    return sample == 0 ? std::sin(0.001 * double(i)) : normal.next();
  };
  auto intValue = [&](int64_t i) -> int64_t {
    return sample == 0 ? i % 7 : int64_t(splitmix64(state) % 7);
  };
  uint8_t *bytes = tensor.data<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    switch (info.type) {
    case ElementType::f32:
      tensor.data<float>()[i] = float(floatValue(i));
      break;
    case ElementType::f64:
      tensor.data<double>()[i] = floatValue(i);
      break;
    case ElementType::f16:
      tensor.data<uint16_t>()[i] = rt::floatToHalf(float(floatValue(i)));
      break;
    case ElementType::bf16:
      tensor.data<uint16_t>()[i] = rt::floatToBfloat16(float(floatValue(i)));
      break;
    case ElementType::boolean:
      bytes[i] = uint8_t(intValue(i) & 1);
      break;
    default: {
      // Integers of any width, little endian: 0..6 fits the low byte.
      size_t size = elementSize(info.type);
      std::memset(bytes + i * size, 0, size);
      bytes[i * size] = uint8_t(intValue(i));
    }
    }
  }
  return tensor;
}

//===----------------------------------------------------------------------===//
// Comparing values
//===----------------------------------------------------------------------===//

// A tensor's values as doubles.
std::vector<double> toDoubles(const Tensor &tensor) {
  int64_t n = tensor.elementCount();
  std::vector<double> values(n);
  auto copy = [&](auto *typed) {
    for (int64_t i = 0; i < n; ++i)
      values[i] = double(typed[i]);
  };
  switch (tensor.type()) {
  case ElementType::f32: copy(tensor.data<float>()); break;
  case ElementType::f64: copy(tensor.data<double>()); break;
  case ElementType::i8: copy(tensor.data<int8_t>()); break;
  case ElementType::u8: copy(tensor.data<uint8_t>()); break;
  case ElementType::i16: copy(tensor.data<int16_t>()); break;
  case ElementType::u16: copy(tensor.data<uint16_t>()); break;
  case ElementType::i32: copy(tensor.data<int32_t>()); break;
  case ElementType::u32: copy(tensor.data<uint32_t>()); break;
  case ElementType::i64: copy(tensor.data<int64_t>()); break;
  case ElementType::u64: copy(tensor.data<uint64_t>()); break;
  case ElementType::boolean:
    for (int64_t i = 0; i < n; ++i)
      values[i] = tensor.data<uint8_t>()[i] ? 1.0 : 0.0;
    break;
  case ElementType::f16:
    for (int64_t i = 0; i < n; ++i)
      values[i] = rt::halfToFloat(tensor.data<uint16_t>()[i]);
    break;
  case ElementType::bf16:
    for (int64_t i = 0; i < n; ++i)
      values[i] = rt::bfloat16ToFloat(tensor.data<uint16_t>()[i]);
    break;
  }
  return values;
}

// The number of classes when `shape` looks like a classifier's output
// ([N, C] with C > 1, or [N, C, 1, 1]); 0 otherwise.
size_t classifierClasses(const std::vector<int64_t> &shape) {
  if (shape.size() == 2 && shape[1] > 1)
    return size_t(shape[1]);
  if (shape.size() == 4 && shape[1] > 1 && shape[2] == 1 && shape[3] == 1)
    return size_t(shape[1]);
  return 0;
}

// Sums over any number of samples of one output.
struct Accumulator {
  double sumRef2 = 0, sumErr2 = 0, sumTest2 = 0, sumDot = 0;
  double maxErr = 0, maxRef = 0;
  size_t nanRef = 0, nanTest = 0, elements = 0;
  bool mismatch = false; // a NaN or infinity in one model only
  int agree = 0, rows = 0;
  bool classifier = false;

  template <typename T>
  void add(const T *ref, const T *test, size_t count, size_t classes) {
    elements += count;
    for (size_t i = 0; i < count; ++i) {
      double r = double(ref[i]), t = double(test[i]);
      bool rn = std::isnan(r), tn = std::isnan(t);
      nanRef += rn;
      nanTest += tn;
      if (rn || tn) {
        mismatch |= rn != tn;
        continue;
      }
      if (std::isinf(r) || std::isinf(t)) {
        mismatch |= r != t;
        continue;
      }
      double e = r - t;
      sumRef2 += r * r;
      sumErr2 += e * e;
      sumTest2 += t * t;
      sumDot += r * t;
      maxErr = std::max(maxErr, std::fabs(e));
      maxRef = std::max(maxRef, std::fabs(r));
    }
    if (classes > 1) {
      classifier = true;
      for (size_t row = 0; row + classes <= count; row += classes) {
        ++rows;
        agree += argmax(ref + row, classes) == argmax(test + row, classes);
      }
    }
  }

  // The first largest value's index; NaN is taken as larger than anything.
  template <typename T> static size_t argmax(const T *values, size_t count) {
    size_t best = 0;
    for (size_t i = 1; i < count; ++i) {
      if (std::isnan(double(values[best])))
        break;
      if (std::isnan(double(values[i])) || values[i] > values[best])
        best = i;
    }
    return best;
  }

  OutputComparison finish() const {
    OutputComparison result;
    result.elements = elements;
    result.nanReference = nanRef;
    result.nanTest = nanTest;
    result.maxAbsReference = maxRef;
    if (mismatch) {
      result.snrDb = -kInf;
      result.maxAbsError = kInf;
      result.cosine = kNaN;
    } else {
      result.maxAbsError = maxErr;
      if (sumErr2 == 0)
        result.snrDb = kInf;
      else if (sumRef2 == 0)
        result.snrDb = -kInf; // all noise, no signal
      else
        result.snrDb = 10.0 * std::log10(sumRef2 / sumErr2);
      if (sumRef2 == 0 && sumTest2 == 0)
        result.cosine = 1;
      else if (sumRef2 == 0 || sumTest2 == 0)
        result.cosine = 0;
      else
        result.cosine = std::clamp(
            sumDot / (std::sqrt(sumRef2) * std::sqrt(sumTest2)), -1.0, 1.0);
    }
    if (classifier) {
      result.top1Agree = agree;
      result.top1Count = rows;
    }
    return result;
  }
};

std::string shapeLabel(const Model &model,
                       const std::vector<std::vector<int64_t>> &shapes) {
  if (shapes.size() == 1)
    return formatShape(shapes[0]);
  std::string label;
  for (size_t i = 0; i < shapes.size(); ++i)
    label += (i ? ", " : "") + model.inputs()[i].name + "=" +
             formatShape(shapes[i]);
  return label;
}

std::string sampleLabel(const Model &model, const TensorMap &sample) {
  std::vector<std::vector<int64_t>> shapes;
  for (const TensorInfo &info : model.inputs()) {
    auto it = sample.find(info.name);
    shapes.push_back(it == sample.end() ? std::vector<int64_t>{}
                                        : it->second.shape());
  }
  return shapeLabel(model, shapes);
}

std::string describe(const TensorInfo &info) {
  return "'" + info.name + "' (" + elementTypeName(info.type) + ")";
}

// Throws unless `test` has the inputs and outputs of `reference` (names and
// element types; order aside).
void checkSameInterface(const Model &reference, const Model &test) {
  auto check = [&](const std::vector<TensorInfo> &a,
                   const std::vector<TensorInfo> &b, const char *what) {
    for (const TensorInfo &x : a) {
      auto it = std::find_if(b.begin(), b.end(), [&](const TensorInfo &y) {
        return y.name == x.name;
      });
      if (it == b.end())
        throw Error(test.path() + " has no " + what + " named '" + x.name +
                    "', which " + reference.path() + " has");
      if (it->type != x.type)
        throw Error(std::string(what) + " '" + x.name + "' is " +
                    elementTypeName(x.type) + " in " + reference.path() +
                    " but " + elementTypeName(it->type) + " in " +
                    test.path());
    }
    for (const TensorInfo &y : b)
      if (std::none_of(a.begin(), a.end(), [&](const TensorInfo &x) {
            return x.name == y.name;
          }))
        throw Error(test.path() + " has an " + what + " " + describe(y) +
                    " that " + reference.path() + " does not have");
  };
  check(reference.inputs(), test.inputs(), "input");
  check(reference.outputs(), test.outputs(), "output");
}

TensorMap predict(Session &session, const TensorMap &inputs,
                  const std::string &label) {
  try {
    return session.predict(inputs);
  } catch (const Error &e) {
    throw Error(session.model().path() + " at " + label + ": " + e.what());
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// The public functions
//===----------------------------------------------------------------------===//

double OutputComparison::top1Rate() const {
  if (top1Agree < 0 || top1Count == 0)
    return kNaN;
  return double(top1Agree) / double(top1Count);
}

std::vector<std::vector<std::vector<int64_t>>>
comparisonShapes(const Model &model) {
  // Per input, its shapes.
  std::vector<std::vector<std::vector<int64_t>>> perInput;
  for (const TensorInfo &info : model.inputs()) {
    std::vector<std::vector<int64_t>> shapes;
    if (!info.shapes.ranged) {
      shapes = info.shapes.shapes;
    } else {
      if (info.shapes.anySize())
        throw Error(model.path() + ": input '" + info.name + "' takes " +
                    info.shapes.describe() +
                    ", dims of any size: give the shapes to compare at "
                    "(--shape NAME=DIMS)");
      std::vector<int64_t> lo, mid, hi;
      for (const ShapeSet::Range &r : info.shapes.ranges) {
        int64_t step = std::max<int64_t>(r.step, 1);
        // A dim of any size (a dynamic batch) is compared at its smallest:
        // its range's top is no size anyone runs.
        int64_t steps =
            r.max == format::kUnboundedDim ? 0 : (r.max - r.min) / step;
        lo.push_back(r.min);
        mid.push_back(r.min + steps / 2 * step);
        hi.push_back(r.min + steps * step);
      }
      for (const auto &shape : {lo, mid, hi})
        if (std::find(shapes.begin(), shapes.end(), shape) == shapes.end())
          shapes.push_back(shape);
    }
    perInput.push_back(std::move(shapes));
  }
  size_t count = 0;
  for (const auto &shapes : perInput)
    count = std::max(count, shapes.size());
  std::vector<std::vector<std::vector<int64_t>>> result(count);
  for (size_t k = 0; k < count; ++k)
    for (const auto &shapes : perInput)
      result[k].push_back(shapes.empty() ? std::vector<int64_t>{}
                                         : shapes[std::min(k, shapes.size() - 1)]);
  return result;
}

TensorMap syntheticInputs(const Model &model,
                          const std::vector<std::vector<int64_t>> &shapes,
                          int sample, uint64_t seed) {
  if (shapes.size() != model.inputs().size())
    throw Error(model.path() + ": takes " +
                std::to_string(model.inputs().size()) + " inputs, " +
                std::to_string(shapes.size()) + " shapes given");
  TensorMap inputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const TensorInfo &info = model.inputs()[i];
    for (int64_t d : shapes[i])
      if (d < 0)
        throw Error(model.path() + ": input '" + info.name +
                    "' has a negative size in " + formatShape(shapes[i]));
    inputs.emplace(info.name, syntheticTensor(info, shapes[i], sample, seed, i));
  }
  return inputs;
}

ModelComparison compareModels(std::shared_ptr<const Model> reference,
                              std::shared_ptr<const Model> test,
                              const CompareOptions &options) {
  checkSameInterface(*reference, *test);

  // The samples, grouped by input shapes in order of first appearance.
  std::vector<std::string> labels;
  std::vector<std::vector<TensorMap>> groups;
  ModelComparison result;
  if (!options.inputs.empty()) {
    for (const TensorMap &sample : options.inputs) {
      std::string label = sampleLabel(*reference, sample);
      auto it = std::find(labels.begin(), labels.end(), label);
      if (it == labels.end()) {
        labels.push_back(label);
        groups.emplace_back();
        it = labels.end() - 1;
      }
      groups[it - labels.begin()].push_back(sample);
    }
    result.samples = options.inputs.size();
  } else {
    if (options.samples < 1)
      throw Error("the number of samples must be 1 or more");
    for (const auto &shapes : options.shapes.empty()
                                  ? comparisonShapes(*reference)
                                  : options.shapes) {
      labels.push_back(shapeLabel(*reference, shapes));
      groups.emplace_back();
      for (int s = 0; s < options.samples; ++s)
        groups.back().push_back(
            syntheticInputs(*reference, shapes, s, options.seed));
    }
    result.samples = size_t(options.samples);
  }
  result.shapes = labels;

  // A few predictions each, whose differences are the measurement: the
  // same direct kernels in both sessions, untuned (tuning would cost more
  // runs than the comparison, and may pick other algorithms in each).
  SessionOptions referenceOptions{options.threads, options.backend};
  referenceOptions.prepare = referenceOptions.tune = false;
  referenceOptions.winograd = false;
  SessionOptions testOptions = referenceOptions;
  testOptions.backend = options.testBackend.value_or(options.backend);
  Session referenceSession(reference, referenceOptions);
  Session testSession(test, testOptions);
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string &label = labels[g];
    std::vector<Accumulator> sums(reference->outputs().size());
    for (const TensorMap &sample : groups[g]) {
      TensorMap expected = predict(referenceSession, sample, label);
      TensorMap actual = predict(testSession, sample, label);
      for (size_t o = 0; o < reference->outputs().size(); ++o) {
        const std::string &name = reference->outputs()[o].name;
        const Tensor &r = expected.at(name);
        const Tensor &t = actual.at(name);
        if (r.shape() != t.shape())
          throw Error("output '" + name + "' at " + label + " is " +
                      formatShape(r.shape()) + " in " + reference->path() +
                      " but " + formatShape(t.shape()) + " in " +
                      test->path());
        size_t classes = classifierClasses(r.shape());
        size_t n = size_t(r.elementCount());
        if (r.type() == ElementType::f32)
          sums[o].add(r.data<float>(), t.data<float>(), n, classes);
        else {
          std::vector<double> rv = toDoubles(r), tv = toDoubles(t);
          sums[o].add(rv.data(), tv.data(), n,
                      isFloatType(r.type()) ? classes : 0);
        }
      }
    }
    for (size_t o = 0; o < sums.size(); ++o) {
      OutputComparison c = sums[o].finish();
      c.output = reference->outputs()[o].name;
      c.shape = label;
      result.outputs.push_back(std::move(c));
    }
  }

  result.worstSnrDb = kInf;
  for (size_t i = 0; i < result.outputs.size(); ++i)
    if (result.outputs[i].snrDb < result.worstSnrDb) {
      result.worstSnrDb = result.outputs[i].snrDb;
      result.worstIndex = i;
    }
  return result;
}

ModelComparison compareModels(const Model &reference, const Model &test,
                              const CompareOptions &options) {
  // Sessions hold models by shared_ptr; these ones do not own them.
  auto borrow = [](const Model &model) {
    return std::shared_ptr<const Model>(&model, [](const Model *) {});
  };
  return compareModels(borrow(reference), borrow(test), options);
}

OutputComparison compareValues(const float *reference, const float *test,
                               size_t count, size_t classes) {
  Accumulator sums;
  sums.add(reference, test, count, classes);
  return sums.finish();
}

std::string formatSnr(double snrDb) {
  if (std::isnan(snrDb))
    return "nan";
  if (std::isinf(snrDb))
    return snrDb > 0 ? "inf" : "-inf";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f", snrDb);
  return buffer;
}

std::string formatTable(const std::vector<std::vector<std::string>> &rows,
                        size_t indent) {
  std::vector<size_t> widths;
  for (const auto &row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  std::string text;
  for (const auto &row : rows) {
    std::string line(indent, ' ');
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(widths[i] - row[i].size() + 3, ' ');
    }
    text += line + "\n";
  }
  return text;
}

std::string formatComparison(const ModelComparison &comparison) {
  auto number = [](double value, const char *format) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), format, value);
    return std::string(buffer);
  };
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"shape", "output", "SNR dB", "max abs err", "max abs ref",
                  "cosine", "top-1"});
  for (const OutputComparison &c : comparison.outputs) {
    std::string snr = formatSnr(c.snrDb);
    if (c.nanReference || c.nanTest)
      snr += " (NaN: " + std::to_string(c.nanReference) + " ref, " +
             std::to_string(c.nanTest) + " test)";
    std::string top1 = "-";
    if (c.isClassifier())
      top1 = std::to_string(c.top1Agree) + "/" + std::to_string(c.top1Count) +
             " (" + number(100.0 * c.top1Rate(), "%.1f") + "%)";
    rows.push_back({c.shape, c.output, snr, number(c.maxAbsError, "%.3g"),
                    number(c.maxAbsReference, "%.3g"),
                    number(c.cosine, "%.6f"), top1});
  }
  std::string text = formatTable(rows, 2);
  if (!comparison.outputs.empty()) {
    const OutputComparison &worst = comparison.outputs[comparison.worstIndex];
    text += "worst SNR: " + formatSnr(comparison.worstSnrDb) + " dB (" +
            worst.output + " at " + worst.shape + ")\n";
  }
  return text;
}

} // namespace mlc::quant
