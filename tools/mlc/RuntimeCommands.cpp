//===- RuntimeCommands.cpp - mlc run, bench and inspect of .mlc files -----===//
//
// The commands that use the runtime library (mlcrt) on a compiled model.
//
//===----------------------------------------------------------------------===//

#include "RuntimeCommands.h"

#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/CustomLayer.h"
#include "mlc/Runtime/Model.h"
#include "mlc/Runtime/Npy.h"
#include "mlc/Runtime/Session.h"
#include "mlc/Runtime/WeightEncoding.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

namespace mlc::cli {
namespace {

using namespace mlc::rt;
using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

std::vector<int64_t> parseShape(const std::string &text) {
  std::vector<int64_t> shape;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find('x', at);
    if (end == std::string::npos)
      end = text.size();
    std::string part = text.substr(at, end - at);
    if (part.empty() || part.size() > 12 ||
        part.find_first_not_of("0123456789") != std::string::npos)
      throw Error("'" + text + "' is not a shape like 1x3x224x224");
    shape.push_back(std::stoll(part));
    at = end + 1;
  }
  return shape;
}

// The shape input `info` of `model` gets when none is given: its first
// shape, or each range's smallest size. A dim of any size has none (a
// prediction at 1x1 would tell nothing) but the batch dim, which gets 1.
std::vector<int64_t> defaultShape(const Model &model, const TensorInfo &info) {
  if (!info.shapes.ranged)
    return info.shapes.shapes.front();
  if (info.shapes.anySize())
    throw Error(model.path() + ": input '" + info.name + "' takes " +
                info.shapes.describe() +
                ", dims of any size: give its shape with --shape " + info.name +
                "=DIMS");
  std::vector<int64_t> shape;
  for (const ShapeSet::Range &r : info.shapes.ranges)
    shape.push_back(r.min);
  return shape;
}

// A deterministic input: a smooth pattern in [-1, 1], different per `seed`.
Tensor patternTensor(const TensorInfo &info, const std::vector<int64_t> &shape,
                     int seed) {
  Tensor tensor(info.type, shape);
  int64_t n = tensor.elementCount();
  auto value = [&](int64_t i) {
    return std::sin(0.001 * double(i) * (seed + 1) + seed);
  };
  switch (info.type) {
  case ElementType::f32:
    for (int64_t i = 0; i < n; ++i)
      tensor.data<float>()[i] = float(value(i));
    break;
  case ElementType::f64:
    for (int64_t i = 0; i < n; ++i)
      tensor.data<double>()[i] = value(i);
    break;
  case ElementType::i64:
    for (int64_t i = 0; i < n; ++i)
      tensor.data<int64_t>()[i] = (i + seed) % 7;
    break;
  case ElementType::i32:
    for (int64_t i = 0; i < n; ++i)
      tensor.data<int32_t>()[i] = (i + seed) % 7;
    break;
  default:
    // Other types: bytes of a simple pattern.
    for (size_t i = 0; i < tensor.byteSize(); ++i)
      tensor.data<uint8_t>()[i] = uint8_t((i + seed) % 7);
  }
  return tensor;
}

Tensor readRaw(const std::string &path, const TensorInfo &info,
               const std::vector<int64_t> &shape) {
  Tensor tensor(info.type, shape);
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    throw Error(path + ": cannot open");
  std::streamsize size = in.tellg();
  if (size != std::streamsize(tensor.byteSize()))
    throw Error(path + ": holds " + std::to_string(size) + " bytes, but a " +
                formatShape(shape) + " " + elementTypeName(info.type) +
                " input takes " + std::to_string(tensor.byteSize()));
  in.seekg(0);
  in.read(static_cast<char *>(tensor.data()), size);
  return tensor;
}

// NAME=VALUE options, each input named once.
std::map<std::string, std::string>
parseNamed(const std::vector<std::string> &options, const Model &model,
           const char *what) {
  std::map<std::string, std::string> result;
  for (const std::string &option : options) {
    auto [name, value] = splitInputOption(option, model, what);
    result[name] = value;
  }
  return result;
}

// The inputs of one prediction: from files, or the deterministic pattern.
TensorMap makeInputs(const Model &model,
                     const std::map<std::string, std::string> &files,
                     const std::map<std::string, std::string> &shapes,
                     int seed) {
  TensorMap inputs;
  for (const TensorInfo &info : model.inputs()) {
    auto file = files.find(info.name);
    const std::string *path = file != files.end() ? &file->second : nullptr;
    if (path && path->size() > 4 &&
        path->compare(path->size() - 4, 4, ".npy") == 0) {
      inputs.emplace(info.name, readNpy(*path));
      continue;
    }
    auto shapeText = shapes.find(info.name);
    std::vector<int64_t> shape = shapeText != shapes.end()
                                     ? parseShape(shapeText->second)
                                     : defaultShape(model, info);
    inputs.emplace(info.name, path ? readRaw(*path, info, shape)
                                   : patternTensor(info, shape, seed));
  }
  return inputs;
}

/// What `mlc run` tells of an f32 output: its range and mean (NaNs left
/// out and counted) and its first values.
struct OutputStats {
  bool present = false; // f32 and not empty
  double min = INFINITY, max = -INFINITY, mean = NAN;
  int64_t nan = 0;
  std::vector<float> first;
};

OutputStats statsOf(const Tensor &tensor) {
  OutputStats stats;
  if (tensor.type() != ElementType::f32 || tensor.elementCount() == 0)
    return stats;
  stats.present = true;
  const float *v = tensor.data<float>();
  int64_t n = tensor.elementCount();
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(v[i])) {
      ++stats.nan;
      continue;
    }
    stats.min = std::min<double>(stats.min, v[i]);
    stats.max = std::max<double>(stats.max, v[i]);
    sum += v[i];
  }
  if (n > stats.nan)
    stats.mean = sum / double(n - stats.nan);
  stats.first.assign(v, v + std::min<int64_t>(n, 4));
  return stats;
}

// How the session runs a batch of `items` (more than one), for the
// summaries: "one batched pass", "one by one", or the parts it is split
// into across the threads.
std::string describeBatch(const Session &session, int items) {
  int parts = session.batchParts(items);
  if (parts > 1)
    return std::to_string(parts) + " parts at once, one per thread";
  return session.model().batchable() ? "one batched pass" : "one by one";
}

std::string summarize(const Tensor &tensor) {
  std::string text = formatShape(tensor.shape()) + " " +
                     elementTypeName(tensor.type());
  OutputStats stats = statsOf(tensor);
  if (!stats.present)
    return text;
  char buffer[128];
  std::snprintf(buffer, sizeof(buffer), "  min %g max %g mean %g", stats.min,
                stats.max, stats.mean);
  text += buffer;
  if (stats.nan)
    text += "  (" + std::to_string(stats.nan) + " NaN)";
  text += "  first:";
  for (float value : stats.first) {
    std::snprintf(buffer, sizeof(buffer), " %g", value);
    text += buffer;
  }
  return text;
}

// JSON has no NaN or infinity: null stands for them.
llvm::json::Value jsonNumber(double value) {
  return std::isfinite(value) ? llvm::json::Value(value) : llvm::json::Value(nullptr);
}

llvm::json::Object describeOutput(const std::string &name, size_t item,
                                  const Tensor &tensor) {
  llvm::json::Object result{{"name", name},
                            {"item", int64_t(item)},
                            {"shape", llvm::json::Array(tensor.shape())},
                            {"type", elementTypeName(tensor.type())}};
  OutputStats stats = statsOf(tensor);
  if (stats.present) {
    llvm::json::Array first;
    for (float value : stats.first)
      first.push_back(jsonNumber(value));
    result["min"] = jsonNumber(stats.min);
    result["max"] = jsonNumber(stats.max);
    result["mean"] = jsonNumber(stats.mean);
    result["nan"] = stats.nan;
    result["first"] = std::move(first);
  }
  return result;
}

SessionOptions sessionOptions(int threads, bool reference,
                              const std::vector<std::string> &plugins,
                              const std::string &convChains) {
  SessionOptions options;
  options.threads = threads;
  options.backend = reference ? Backend::Reference : Backend::Fast;
  options.plugins = plugins;
  options.convChains = convChains == "always"  ? ConvChains::Always
                       : convChains == "never" ? ConvChains::Never
                                               : ConvChains::Tuned;
  return options;
}

// `--shape` options in turn: an input named again starts another set.
std::vector<std::map<std::string, std::string>>
shapeOptionSets(const std::vector<std::string> &options, const Model &model) {
  std::vector<std::map<std::string, std::string>> sets(1);
  for (const std::string &option : options) {
    auto [name, value] = splitInputOption(option, model, "--shape");
    if (sets.back().count(name))
      sets.emplace_back();
    sets.back()[name] = value;
  }
  return sets;
}

// The profile of `predictions`: per prediction, each op type's total and
// the slowest ops; into `json` (every op) when given, else printed.
void reportProfile(const Session &session, int64_t predictions, int parts,
                   llvm::json::Object *json) {
  std::vector<OpProfile> ops = session.profile();
  std::map<std::string, double> byType;
  double profiled = 0;
  for (OpProfile &op : ops) {
    op.milliseconds /= predictions;
    byType[op.type] += op.milliseconds;
    profiled += op.milliseconds;
  }
  std::vector<std::pair<std::string, double>> types(byType.begin(),
                                                    byType.end());
  std::stable_sort(
      types.begin(), types.end(),
      [](const auto &a, const auto &b) { return a.second > b.second; });
  if (json) {
    // Every op in the model's order, then conversions and copies.
    llvm::json::Array all, shares;
    for (const OpProfile &op : ops)
      all.push_back(llvm::json::Object{{"name", op.name},
                                       {"type", op.type},
                                       {"kernel", op.kernel},
                                       {"ms", op.milliseconds}});
    for (const auto &[type, ms] : types)
      shares.push_back(llvm::json::Object{{"type", type}, {"ms", ms}});
    (*json)["ops"] = std::move(all);
    (*json)["op_types"] = std::move(shares);
    return;
  }
  std::vector<OpProfile> slowest = ops;
  std::stable_sort(slowest.begin(), slowest.end(),
                   [](const OpProfile &a, const OpProfile &b) {
                     return a.milliseconds > b.milliseconds;
                   });
  if (slowest.size() > 15)
    slowest.resize(15);
  llvm::outs() << llvm::formatv(
      "profile (ms per prediction, {0} predictions; {1:f2} ms in ops{2}):\n",
      predictions, profiled, parts > 1 ? ", the parts' threads' added" : "");
  for (const auto &[type, ms] : types)
    llvm::outs() << llvm::formatv("  {0,-20} {1,9:f3} ms  {2,5:f1}%\n", type,
                                  ms, profiled > 0 ? 100 * ms / profiled : 0);
  llvm::outs() << "slowest ops:\n";
  for (const OpProfile &op : slowest)
    llvm::outs() << llvm::formatv("  {0,-20} {1,9:f3} ms  {2}  [{3}]\n",
                                  op.type, op.milliseconds, op.name, op.kernel);
}

} // namespace

std::vector<std::vector<std::vector<int64_t>>>
shapeSets(const std::vector<std::string> &options, const Model &model) {
  std::vector<std::vector<std::vector<int64_t>>> sets;
  if (options.empty())
    return sets;
  for (const auto &named : shapeOptionSets(options, model)) {
    sets.emplace_back();
    for (const TensorInfo &info : model.inputs()) {
      auto given = named.find(info.name);
      sets.back().push_back(given != named.end() ? parseShape(given->second)
                                                 : defaultShape(model, info));
    }
  }
  return sets;
}

int reportError(const char *command, const std::string &path,
                const Error &error) {
  llvm::StringRef message = error.what();
  llvm::errs() << "mlc " << command << ": error: ";
  if (!path.empty() && !message.starts_with(path))
    llvm::errs() << path << ": ";
  llvm::errs() << message << "\n";
  return 2;
}

bool loadPlugins(const std::vector<std::string> &plugins, const char *command) {
  try {
    for (const std::string &plugin : plugins)
      loadPlugin(plugin);
    return true;
  } catch (const Error &e) {
    llvm::errs() << "mlc " << command << ": error: " << e.what() << "\n";
    return false;
  }
}

std::pair<std::string, std::string>
splitInputOption(const std::string &option, const rt::Model &model,
                 const char *what) {
  size_t eq = option.find('=');
  std::string name, value = option;
  if (eq != std::string::npos) {
    name = option.substr(0, eq);
    value = option.substr(eq + 1);
  } else if (model.inputs().size() == 1) {
    name = model.inputs()[0].name;
  } else {
    throw Error(model.path() + ": " + what + " '" + option +
                "': name the input (NAME=...), the model has several");
  }
  for (const TensorInfo &info : model.inputs())
    if (info.name == name)
      return {name, value};
  throw Error(model.path() + ": " + what + " '" + option +
              "': the model has no input named '" + name + "'");
}

int runModel(const RunOptions &options) {
  std::string inSession;
  try {
    auto model = Model::load(options.model);
    auto files = parseNamed(options.inputs, *model, "--input");
    auto shapes = parseNamed(options.shapes, *model, "--shape");
    if (options.batch < 1)
      throw Error("--batch must be 1 or more");
    // One prediction: making every shape ready, or tuning, would cost more
    // than it saves.
    SessionOptions settings = sessionOptions(
        options.threads, options.reference, options.plugins, options.convChains);
    settings.prepare = settings.tune = false;
    std::vector<TensorMap> batch;
    for (int i = 0; i < options.batch; ++i)
      batch.push_back(makeInputs(*model, files, shapes, i));
    inSession = options.model;
    Session session(model, settings);
    Clock::time_point start = Clock::now();
    std::vector<TensorMap> results =
        options.batch == 1 ? std::vector<TensorMap>{session.predict(batch[0])}
                           : session.predictBatch(batch);
    double ms = millisecondsSince(start);
    if (!options.outputDir.empty()) {
      ::mkdir(options.outputDir.c_str(), 0777);
      for (size_t i = 0; i < results.size(); ++i)
        for (const auto &[name, tensor] : results[i]) {
          std::string file = name;
          std::replace(file.begin(), file.end(), '/', '_');
          if (results.size() > 1)
            file += "_" + std::to_string(i);
          writeNpy(options.outputDir + "/" + file + ".npy", tensor);
        }
    }
    bool onePass = options.batch > 1 && model->batchable();
    int parts = session.batchParts(options.batch);
    if (options.json) {
      llvm::json::Array outputs;
      for (size_t i = 0; i < results.size(); ++i)
        for (const auto &[name, tensor] : results[i])
          outputs.push_back(describeOutput(name, i, tensor));
      llvm::json::Object result{{"model", options.model},
                                {"predictions", int64_t(results.size())},
                                {"one_pass", onePass},
                                {"parts", parts},
                                {"milliseconds", ms},
                                {"outputs", std::move(outputs)}};
      llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(result)))
                   << "\n";
    } else if (!options.quiet) {
      llvm::outs() << llvm::formatv("{0}: {1} prediction{2} in {3:f2} ms{4}\n",
                                    options.model, results.size(),
                                    results.size() == 1 ? "" : "s", ms,
                                    options.batch > 1
                                        ? " (" +
                                              describeBatch(session,
                                                            options.batch) +
                                              ")"
                                        : std::string());
      for (size_t i = 0; i < results.size(); ++i)
        for (const auto &[name, tensor] : results[i])
          llvm::outs() << "  " << name
                       << (results.size() > 1 ? "[" + std::to_string(i) + "]"
                                              : std::string())
                       << ": " << summarize(tensor) << "\n";
    }
    return 0;
  } catch (const Error &e) {
    return reportError("run", inSession, e);
  }
}

int benchModel(const BenchOptions &options) {
  std::string inSession;
  try {
    auto model = Model::load(options.model);
    // Several shapes are timed in turn in one session, as an app meets a
    // ranged model's sizes (each after the first is planned at its first
    // prediction).
    auto cases = shapeOptionSets(options.shapes, *model);
    if (options.batch < 1 || options.runs < 1)
      throw Error("--batch and --runs must be 1 or more");
    if (options.profile && cases.size() > 1)
      throw Error("--profile times one shape: give each input's --shape once");
    std::vector<std::vector<TensorMap>> batches(cases.size());
    for (size_t c = 0; c < cases.size(); ++c)
      for (int i = 0; i < options.batch; ++i)
        batches[c].push_back(makeInputs(*model, {}, cases[c], i));
    SessionOptions sessionSettings =
        sessionOptions(options.threads, options.reference, options.plugins,
                       options.convChains);
    sessionSettings.profile = options.profile;
    sessionSettings.tune = !options.noTune;
    sessionSettings.winograd = !options.noWinograd;
    if (options.wholeBatch)
      sessionSettings.itemByItemBytes = SIZE_MAX;
    sessionSettings.splitBatches = !options.noSplitBatch;
    // As an app that knows its batch size and its first shape would: made
    // ready with the session, so that the first prediction is timed as a
    // prediction, not as the planning and tuning of its shape (the shapes
    // after it are timed as met).
    if (options.batch > 1)
      sessionSettings.batchSizes = {options.batch};
    std::map<std::string, std::vector<int64_t>> firstShape;
    for (const auto &[name, tensor] : batches.front().front())
      firstShape[name] = tensor.shape();
    sessionSettings.shapes = {firstShape};
    Clock::time_point start = Clock::now();
    inSession = options.model;
    Session session(model, sessionSettings);
    double prepare = millisecondsSince(start);
    int parts = session.batchParts(options.batch);
    llvm::json::Array timings;
    for (const std::vector<TensorMap> &batch : batches) {
      // Outputs reused from one prediction to the next, as an app that
      // predicts in a loop would.
      TensorMap outputs;
      std::vector<TensorMap> results;
      auto once = [&] {
        if (options.batch == 1)
          session.predict(batch[0], outputs);
        else
          session.predictBatch(batch, results);
      };
      start = Clock::now();
      once();
      double first = millisecondsSince(start);
      std::vector<double> times;
      for (int r = 0; r < options.runs; ++r) {
        start = Clock::now();
        once();
        times.push_back(millisecondsSince(start));
      }
      std::sort(times.begin(), times.end());
      double median = times[times.size() / 2];
      double throughput = options.batch * 1000.0 / median;
      std::string shape;
      for (const auto &[name, tensor] : batch[0])
        shape += (shape.empty() ? "" : ", ") + name + " " +
                 formatShape(tensor.shape());
      if (options.json) {
        timings.push_back(llvm::json::Object{
            {"model", options.model},
            {"inputs", shape},
            {"batch", options.batch},
            {"threads", options.threads},
            {"runs", options.runs},
            {"prepare_ms", prepare},
            {"first_ms", first},
            {"median_ms", median},
            {"min_ms", times.front()},
            {"items_per_second", throughput},
            {"batched", options.batch > 1 && model->batchable()},
            {"parts", parts}});
        continue;
      }
      llvm::outs() << llvm::formatv(
          "{0} ({1}; batch {2}{3}; {4} threads; {5} runs)\n", options.model,
          shape, options.batch,
          options.batch > 1 ? ", " + describeBatch(session, options.batch)
                            : std::string(),
          options.threads ? std::to_string(options.threads) : "all",
          options.runs);
      if (&batch == &batches.front())
        llvm::outs() << llvm::formatv("  prepare     {0:f2} ms\n", prepare);
      llvm::outs() << llvm::formatv(
          "  first run   {0:f2} ms\n  median      {1:f2} ms\n"
          "  min         {2:f2} ms\n  throughput  {3:f1} items/s\n",
          first, median, times.front(), throughput);
    }
    if (options.profile)
      reportProfile(session, options.runs + 1, parts,
                    options.json ? timings.front().getAsObject() : nullptr);
    if (options.json)
      llvm::outs() << llvm::formatv("{0:2}",
                                    timings.size() == 1
                                        ? std::move(timings.front())
                                        : llvm::json::Value(std::move(timings)))
                   << "\n";
    return 0;
  } catch (const Error &e) {
    return reportError("bench", inSession, e);
  }
}

int inspectCompiled(const std::string &path, bool json) {
  try {
    auto model = Model::load(path);
    const format::Model &graph = model->graph();
    std::map<std::string, int> opCounts;
    for (const format::Op *op : *graph.ops()) {
      std::string name = format::EnumNameOpParams(op->params_type());
      name = name.substr(0, name.size() - 6);
      // Custom ops by class: which plugins the model needs.
      if (const format::CustomParams *custom = op->params_as_CustomParams())
        name += " " + custom->class_name()->str();
      opCounts[name]++;
    }
    // Each weight: its name, shape, encoding ("f32", "linear 8-bit",
    // "palette 4-bit", "fp16") and stored bytes.
    struct WeightRow {
      std::string name, shape, encoding;
      uint64_t bytes;
    };
    std::vector<WeightRow> weightRows;
    std::map<std::string, std::pair<size_t, uint64_t>> byEncoding;
    uint64_t weightBytes = 0;
    size_t weights = 0;
    for (const format::Tensor *tensor : *graph.tensors())
      if (const format::Weight *weight = tensor->weight()) {
        ++weights;
        weightBytes += weight->length();
        std::vector<int64_t> dims;
        for (uint32_t e : *tensor->shape())
          dims.push_back(graph.exprs()->Get(e)->terms()->Get(0)->value());
        auto encoding = static_cast<WeightEncoding>(weight->encoding());
        std::string name =
            encoding == WeightEncoding::raw
                ? elementTypeName(static_cast<ElementType>(tensor->type()))
            : encoding == WeightEncoding::fp16
                ? "fp16"
                : std::string(weightEncodingName(encoding)) + " " +
                      std::to_string(weight->bits()) + "-bit";
        weightRows.push_back({tensor->name()->str(), formatShape(dims), name,
                              weight->length()});
        byEncoding[name].first++;
        byEncoding[name].second += weight->length();
      }
    std::vector<std::pair<std::string, uint64_t>> plans;
    if (graph.plans())
      for (const format::Plan *plan : *graph.plans()) {
        std::string label;
        for (size_t s = 0; s < plan->symbol_values()->size(); ++s)
          label += (s ? ", " : "") +
                   graph.symbols()->Get(s)->name()->str() + "=" +
                   std::to_string(plan->symbol_values()->Get(s));
        plans.push_back({label.empty() ? "static" : label, plan->arena_size()});
      }
    auto dims = [](const TensorInfo &info) {
      std::string text;
      for (size_t i = 0; i < info.shape.size(); ++i)
        text += (i ? "x" : "") +
                (info.shape[i] < 0 ? std::string("?") : std::to_string(info.shape[i]));
      return text;
    };
    if (json) {
      llvm::json::Array inputs, outputs, ops, planList;
      for (const TensorInfo &info : model->inputs())
        inputs.push_back(llvm::json::Object{{"name", info.name},
                                            {"type", elementTypeName(info.type)},
                                            {"shape", dims(info)},
                                            {"shapes", info.shapes.describe()}});
      for (const TensorInfo &info : model->outputs())
        outputs.push_back(llvm::json::Object{{"name", info.name},
                                             {"type", elementTypeName(info.type)},
                                             {"shape", dims(info)}});
      for (const auto &[name, count] : opCounts)
        ops.push_back(llvm::json::Object{{"op", name}, {"count", count}});
      for (const auto &[label, bytes] : plans)
        planList.push_back(
            llvm::json::Object{{"sizes", label}, {"arena_bytes", bytes}});
      llvm::json::Object result{{"file", path},
                                {"producer", model->producer()},
                                {"file_bytes", uint64_t(model->fileSize())},
                                {"inputs", std::move(inputs)},
                                {"outputs", std::move(outputs)},
                                {"batchable", model->batchable()},
                                {"ops", std::move(ops)},
                                {"weights", uint64_t(weights)},
                                {"weight_list", [&] {
                                   llvm::json::Array list;
                                   for (const WeightRow &w : weightRows)
                                     list.push_back(llvm::json::Object{
                                         {"name", w.name},
                                         {"shape", w.shape},
                                         {"encoding", w.encoding},
                                         {"bytes", w.bytes}});
                                   return list;
                                 }()},
                                {"weight_bytes", weightBytes},
                                {"plans", std::move(planList)}};
      llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(result)))
                   << "\n";
      return 0;
    }
    llvm::outs() << path << ": compiled model (" << model->producer() << ", "
                 << model->fileSize() << " bytes)\n";
    for (const TensorInfo &info : model->inputs())
      llvm::outs() << "  input  " << info.name << ": "
                   << elementTypeName(info.type) << " " << dims(info)
                   << ", takes " << info.shapes.describe() << "\n";
    for (const TensorInfo &info : model->outputs())
      llvm::outs() << "  output " << info.name << ": "
                   << elementTypeName(info.type) << " " << dims(info) << "\n";
    llvm::outs() << "  batches: "
                 << (model->batchable() ? "any size, in one pass"
                                        : "one prediction at a time")
                 << "\n";
    llvm::outs() << "  ops: " << graph.ops()->size() << " (";
    bool first = true;
    for (const auto &[name, count] : opCounts) {
      llvm::outs() << (first ? "" : ", ") << name << " " << count;
      first = false;
    }
    llvm::outs() << ")\n  weights: " << weights << " tensors, " << weightBytes
                 << " bytes (";
    first = true;
    for (const auto &[name, countAndBytes] : byEncoding) {
      llvm::outs() << (first ? "" : "; ") << name << ": "
                   << countAndBytes.first << ", " << countAndBytes.second
                   << " bytes";
      first = false;
    }
    llvm::outs() << ")\n";
    for (const WeightRow &w : weightRows)
      llvm::outs() << llvm::formatv("    {0,-40} {1,-16} {2,-14} {3} bytes\n",
                                    w.name, w.shape, w.encoding, w.bytes);
    for (const auto &[label, bytes] : plans)
      llvm::outs() << "  plan " << label << ": arena " << bytes << " bytes\n";
    if (plans.empty())
      llvm::outs() << "  plans: made at run time for each size\n";
    return 0;
  } catch (const Error &e) {
    return reportError("inspect", "", e);
  }
}

bool isCompiledModel(const std::string &path) {
  // A size prefix, the root offset, then the identifier.
  std::ifstream in(path, std::ios::binary);
  char head[12] = {};
  in.read(head, sizeof(head));
  return in.gcount() == sizeof(head) &&
         std::memcmp(head + 8, format::ModelIdentifier(), 4) == 0;
}

} // namespace mlc::cli
