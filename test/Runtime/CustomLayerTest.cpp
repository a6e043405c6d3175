//===- CustomLayerTest.cpp - Custom layers, the registry and plugins ------===//
//
// Models with one custom op, written directly as FlatBuffers (the tests never
// run the compiler), run through classes registered in process and by the
// test plugins (test/Runtime/plugins, their paths given by CMake).
//
//===----------------------------------------------------------------------===//

#include "mlc/Format/Format.h"
#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/CustomLayer.h"
#include "mlc/Runtime/Session.h"
#include "RuntimeModels.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

using namespace mlc;
using namespace mlc::rt;

namespace {

namespace fmt = mlc::format;

struct ModelSpec {
  std::string className = "TestAffine";
  std::string domain = "com.example";
  std::string nodeName = "affine0";
  int64_t n = 1, c = 4, h = 3, w = 3;
  /// A weight [C] after x in the operands.
  bool weight = false;
  std::vector<float> weightValues;
  /// Dim 0 a batch symbol (inputs 1..16).
  bool batchable = false;
  /// Attributes of the op.
  std::vector<std::unique_ptr<fmt::CustomAttributeT>> attributes;
};

uint32_t addConstantExpr(fmt::ModelT &model, int64_t value) {
  auto expr = std::make_unique<fmt::ExprT>();
  expr->terms.emplace_back(fmt::ExprOp::constant, value);
  model.exprs.push_back(std::move(expr));
  return model.exprs.size() - 1;
}

// A model: x [N,C,H,W] -> custom(x[, weight]) -> y [N,C,H,W].
std::shared_ptr<const Model> makeModel(ModelSpec &spec) {
  fmt::ModelT model;
  model.format_version = format::kFormatVersion;
  model.producer = "CustomLayerTest";
  model.graph_name = "custom";
  std::vector<uint32_t> dims;
  if (spec.batchable) {
    auto symbol = std::make_unique<fmt::SymbolT>();
    symbol->name = "N";
    symbol->input = 0;
    symbol->dim = 0;
    model.symbols.push_back(std::move(symbol));
    auto expr = std::make_unique<fmt::ExprT>();
    expr->terms.emplace_back(fmt::ExprOp::symbol, 0);
    model.exprs.push_back(std::move(expr));
    dims.push_back(model.exprs.size() - 1);
    model.batch_symbol = 0;
  } else {
    dims.push_back(addConstantExpr(model, spec.n));
  }
  for (int64_t d : {spec.c, spec.h, spec.w})
    dims.push_back(addConstantExpr(model, d));

  auto addTensor = [&](const std::string &name, std::vector<uint32_t> shape) {
    auto tensor = std::make_unique<fmt::TensorT>();
    tensor->name = name;
    tensor->type = fmt::ElementType::f32;
    tensor->shape = std::move(shape);
    model.tensors.push_back(std::move(tensor));
    return int32_t(model.tensors.size() - 1);
  };
  int32_t x = addTensor("x", dims);
  auto input = std::make_unique<fmt::InputT>();
  input->tensor = x;
  input->shapes = std::make_unique<fmt::ShapeSetT>();
  if (spec.batchable) {
    input->shapes->kind = fmt::ShapeSetKind::ranged;
    input->shapes->ranges = {{1, 16, 1},
                             {spec.c, spec.c, 1},
                             {spec.h, spec.h, 1},
                             {spec.w, spec.w, 1}};
  } else {
    auto shape = std::make_unique<fmt::DimsT>();
    shape->values = {spec.n, spec.c, spec.h, spec.w};
    input->shapes->shapes.push_back(std::move(shape));
  }
  model.inputs.push_back(std::move(input));

  auto op = std::make_unique<fmt::OpT>();
  op->name = spec.nodeName;
  op->inputs.push_back(x);
  std::vector<uint8_t> weightBytes;
  if (spec.weight) {
    int32_t b = addTensor("bias", {dims[1]});
    auto weight = std::make_unique<fmt::WeightT>();
    weight->offset = 0;
    weight->length = spec.c * sizeof(float);
    model.tensors[b]->weight = std::move(weight);
    std::vector<float> values = spec.weightValues;
    values.resize(spec.c);
    weightBytes.resize(spec.c * sizeof(float));
    std::memcpy(weightBytes.data(), values.data(), weightBytes.size());
    op->inputs.push_back(b);
  }
  int32_t y = addTensor("y", dims);
  op->outputs.push_back(y);
  fmt::CustomParamsT params;
  params.class_name = spec.className;
  params.domain = spec.domain;
  params.attributes = std::move(spec.attributes);
  op->params.Set(std::move(params));
  model.ops.push_back(std::move(op));
  model.outputs.push_back(y);
  model.weights_length = (weightBytes.size() + format::kWeightAlignment - 1) /
                         format::kWeightAlignment * format::kWeightAlignment;

  std::vector<uint8_t> file = mlc::test::packModel(model, weightBytes);
  return Model::fromBytes(file.data(), file.size(), "custom.mlc");
}

std::unique_ptr<fmt::CustomAttributeT>
attribute(const std::string &name, std::vector<int64_t> ints,
          std::vector<float> floats, std::vector<std::string> strings) {
  auto attr = std::make_unique<fmt::CustomAttributeT>();
  attr->name = name;
  attr->ints = std::move(ints);
  attr->floats = std::move(floats);
  attr->strings = std::move(strings);
  return attr;
}

Tensor iota(std::vector<int64_t> shape, float start = 0) {
  Tensor t(ElementType::f32, shape);
  for (int64_t i = 0; i < t.elementCount(); ++i)
    t.data<float>()[i] = start + 0.5f * float(i);
  return t;
}

// What the in-process layers saw, for the tests to check.
struct Seen {
  CustomLayerSpec spec;
  std::vector<TensorView> weights;
  std::vector<std::vector<int64_t>> inputShapes;
  std::vector<std::vector<int64_t>> evaluatedShapes;
  int layers = 0;
};
Seen seen;

// y = x * scale + bias[c]: scale from the attribute "scale", bias the weight
// (if any).
class TestAffine : public CustomLayer {
public:
  explicit TestAffine(const CustomLayerSpec &spec) {
    auto found = spec.attributes.find("scale");
    if (found != spec.attributes.end() && !found->second.floats.empty())
      scale = found->second.floats[0];
  }
  void setWeights(const std::vector<TensorView> &w) override {
    weights = w;
    seen.weights = w;
  }
  std::vector<std::vector<int64_t>>
  outputShapes(const std::vector<std::vector<int64_t>> &shapes) override {
    seen.inputShapes = shapes;
    return {shapes.at(0)};
  }
  void evaluate(const std::vector<TensorView> &inputs,
                const std::vector<TensorView> &outputs) override {
    const TensorView &x = inputs.at(0);
    seen.evaluatedShapes.push_back(x.shape);
    int64_t c = x.shape[1], inner = x.shape[2] * x.shape[3];
    const float *bias = weights.empty() ? nullptr : weights[0].as<float>();
    for (int64_t i = 0; i < x.elementCount(); ++i)
      outputs.at(0).as<float>()[i] =
          x.as<float>()[i] * scale + (bias ? bias[i / inner % c] : 0.0f);
  }

private:
  float scale = 1;
  std::vector<TensorView> weights;
};

void registerTestAffine() {
  CustomLayerRegistry::global().add(
      "TestAffine", [](const CustomLayerSpec &spec) {
        seen.spec = spec;
        ++seen.layers;
        return std::make_unique<TestAffine>(spec);
      });
}

// Expects `fn` to throw rt::Error containing every one of `parts`.
template <typename Fn>
void expectError(Fn fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "no error";
  } catch (const Error &e) {
    for (const std::string &part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "'" << e.what() << "' does not contain '" << part << "'";
  }
}

const Backend kBackends[] = {Backend::Fast, Backend::Reference};

} // namespace

TEST(CustomLayerRegistry, AddContainsCreate) {
  CustomLayerRegistry registry;
  EXPECT_FALSE(registry.contains("A"));
  expectError([&] { registry.create({"A", "dom", {}}); },
              {"'A'", "domain 'dom'", "not registered", "--plugin"});
  registry.add("B", [](const CustomLayerSpec &) {
    return std::make_unique<TestAffine>(CustomLayerSpec{});
  });
  registry.add("A", [](const CustomLayerSpec &) {
    return std::make_unique<TestAffine>(CustomLayerSpec{});
  });
  EXPECT_TRUE(registry.contains("A"));
  EXPECT_EQ(registry.classNames(), (std::vector<std::string>{"A", "B"}));
  EXPECT_NE(registry.create({"A", "", {}}), nullptr);
}

TEST(CustomLayerRegistry, FactoryErrorsNameTheClass) {
  CustomLayerRegistry registry;
  registry.add("Refuses", [](const CustomLayerSpec &) -> std::unique_ptr<CustomLayer> {
    throw std::invalid_argument("bad attribute k");
  });
  registry.add("Null", [](const CustomLayerSpec &) {
    return std::unique_ptr<CustomLayer>();
  });
  expectError([&] { registry.create({"Refuses", "", {}}); },
              {"'Refuses'", "bad attribute k"});
  expectError([&] { registry.create({"Null", "", {}}); }, {"'Null'", "no layer"});
}

TEST(CustomLayer, InProcessLayerGetsWeightsAndAttributes) {
  registerTestAffine();
  for (Backend backend : kBackends) {
    seen = {};
    ModelSpec spec;
    spec.weight = true;
    spec.weightValues = {1, 2, 3, 4};
    spec.attributes.push_back(attribute("scale", {}, {3.0f}, {}));
    spec.attributes.push_back(attribute("axes", {1, 2, 3}, {}, {}));
    spec.attributes.push_back(attribute("mode", {}, {}, {"fast", "exact"}));
    auto model = makeModel(spec);
    Session session(model, {0, backend});
    Tensor x = iota({1, 4, 3, 3});
    TensorMap out = session.predict({{"x", x}});
    const Tensor &y = out.at("y");
    ASSERT_EQ(y.shape(), x.shape());
    for (int64_t i = 0; i < x.elementCount(); ++i)
      EXPECT_FLOAT_EQ(y.data<float>()[i],
                      x.data<float>()[i] * 3 + spec.weightValues[i / 9]);

    EXPECT_EQ(seen.spec.className, "TestAffine");
    EXPECT_EQ(seen.spec.domain, "com.example");
    ASSERT_EQ(seen.spec.attributes.size(), 3u);
    EXPECT_EQ(seen.spec.attributes.at("scale").floats,
              std::vector<float>{3.0f});
    EXPECT_EQ(seen.spec.attributes.at("axes").ints,
              (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(seen.spec.attributes.at("mode").strings,
              (std::vector<std::string>{"fast", "exact"}));
    ASSERT_EQ(seen.weights.size(), 1u);
    EXPECT_EQ(seen.weights[0].shape, std::vector<int64_t>{4});
    EXPECT_EQ(seen.weights[0].type, ElementType::f32);
    EXPECT_EQ(seen.weights[0].as<float>()[3], 4.0f);
    // Only the activation is an input.
    EXPECT_EQ(seen.inputShapes,
              (std::vector<std::vector<int64_t>>{{1, 4, 3, 3}}));
    // The layer is made once per plan, evaluated per prediction.
    session.predict({{"x", x}});
    EXPECT_EQ(seen.layers, 1);
    EXPECT_EQ(seen.evaluatedShapes.size(), 2u);
  }
}

TEST(CustomLayer, BatchReachesEvaluateWithDimZeroN) {
  registerTestAffine();
  for (Backend backend : kBackends) {
    seen = {};
    ModelSpec spec;
    spec.batchable = true;
    spec.weight = true;
    spec.weightValues = {0.5f, -1, 2, 0};
    spec.attributes.push_back(attribute("scale", {}, {2.0f}, {}));
    auto model = makeModel(spec);
    ASSERT_TRUE(model->batchable());
    // Two threads: a model with custom layers is not split across them
    // (SessionOptions::splitBatches), so the layer sees the whole batch.
    Session session(model, {2, backend});
    EXPECT_EQ(session.batchParts(3), 1);
    std::vector<TensorMap> batch;
    for (int i = 0; i < 3; ++i)
      batch.push_back({{"x", iota({1, 4, 3, 3}, float(i * 100))}});
    std::vector<TensorMap> results = session.predictBatch(batch);
    ASSERT_EQ(results.size(), 3u);
    ASSERT_EQ(seen.evaluatedShapes.size(), 1u) << "one pass for the batch";
    EXPECT_EQ(seen.evaluatedShapes[0], (std::vector<int64_t>{3, 4, 3, 3}));
    EXPECT_EQ(seen.inputShapes,
              (std::vector<std::vector<int64_t>>{{3, 4, 3, 3}}));
    for (int i = 0; i < 3; ++i) {
      const Tensor &x = batch[i].at("x");
      const Tensor &y = results[i].at("y");
      ASSERT_EQ(y.shape(), (std::vector<int64_t>{1, 4, 3, 3}));
      for (int64_t j = 0; j < x.elementCount(); ++j)
        EXPECT_FLOAT_EQ(y.data<float>()[j],
                        x.data<float>()[j] * 2 + spec.weightValues[j / 9]);
    }
  }
}

TEST(CustomLayer, MissingClassFailsWhenTheSessionIsMade) {
  ModelSpec spec;
  spec.className = "NobodyRegisteredThis";
  spec.domain = "org.nowhere";
  auto model = makeModel(spec);
  expectError([&] { Session session(model); },
              {"custom layer class 'NobodyRegisteredThis'",
               "domain 'org.nowhere'", "not registered", "--plugin",
               "SessionOptions::plugins"});
}

TEST(CustomLayer, LayerThatThrowsInProcess) {
  struct Refuses : CustomLayer {
    std::vector<std::vector<int64_t>>
    outputShapes(const std::vector<std::vector<int64_t>> &) override {
      throw 42; // Not even a std::exception.
    }
    void evaluate(const std::vector<TensorView> &,
                  const std::vector<TensorView> &) override {}
  };
  CustomLayerRegistry::global().add("RefusesShapes", [](const CustomLayerSpec &) {
    return std::make_unique<Refuses>();
  });
  ModelSpec spec;
  spec.className = "RefusesShapes";
  spec.nodeName = "n7";
  Session session(makeModel(spec));
  expectError([&] { session.predict({{"x", iota({1, 4, 3, 3})}}); },
              {"custom layer 'RefusesShapes' (node 'n7') failed"});
}

TEST(CustomLayerPlugin, GoodPluginRegistersAndRuns) {
  loadPlugin(MLC_TEST_PLUGIN_GOOD);
  EXPECT_TRUE(CustomLayerRegistry::global().contains("PluginDouble"));
  size_t classes = CustomLayerRegistry::global().classNames().size();
  // Loading it again does nothing.
  loadPlugin(MLC_TEST_PLUGIN_GOOD);
  EXPECT_EQ(CustomLayerRegistry::global().classNames().size(), classes);

  ModelSpec spec;
  spec.className = "PluginDouble";
  spec.weight = true;
  spec.weightValues = {10, 20, 30, 40};
  auto model = makeModel(spec);
  for (Backend backend : kBackends) {
    SessionOptions options;
    options.backend = backend;
    options.plugins = {MLC_TEST_PLUGIN_GOOD};
    Session session(model, options);
    Tensor x = iota({1, 4, 3, 3});
    Tensor y = session.predict({{"x", x}}).at("y");
    for (int64_t i = 0; i < x.elementCount(); ++i)
      EXPECT_FLOAT_EQ(y.data<float>()[i],
                      2 * x.data<float>()[i] + spec.weightValues[i / 9]);
  }
}

TEST(CustomLayerPlugin, MissingFile) {
  expectError([] { loadPlugin("/nonexistent/libmissing.so"); },
              {"/nonexistent/libmissing.so: cannot load the plugin: "});
  SessionOptions options;
  options.plugins = {"/nonexistent/libmissing.so"};
  ModelSpec spec;
  auto model = makeModel(spec);
  expectError([&] { Session session(model, options); },
              {"/nonexistent/libmissing.so: cannot load the plugin"});
}

TEST(CustomLayerPlugin, NotASharedLibrary) {
  std::string path = ::testing::TempDir() + "/not_a_plugin.so";
  std::ofstream(path) << "this is text, not ELF\n";
  expectError([&] { loadPlugin(path); },
              {path + ": cannot load the plugin: "});
  std::remove(path.c_str());
}

TEST(CustomLayerPlugin, NoEntryPoint) {
  expectError([] { loadPlugin(MLC_TEST_PLUGIN_NOENTRY); },
              {std::string(MLC_TEST_PLUGIN_NOENTRY) +
               ": no entry point mlc_register_custom_layers (is it an mlc "
               "plugin?)"});
}

TEST(CustomLayerPlugin, EntryPointThrows) {
  expectError([] { loadPlugin(MLC_TEST_PLUGIN_ENTRYTHROWS); },
              {std::string(MLC_TEST_PLUGIN_ENTRYTHROWS) +
               ": the plugin's entry point failed: no licence for this "
               "machine"});
}

TEST(CustomLayerPlugin, WrongOutputShape) {
  ModelSpec spec;
  spec.className = "WrongShape";
  spec.nodeName = "halver";
  spec.c = 8;
  spec.h = 8;
  spec.w = 8;
  auto model = makeModel(spec);
  for (Backend backend : kBackends) {
    SessionOptions options;
    options.backend = backend;
    options.plugins = {MLC_TEST_PLUGIN_WRONGSHAPE};
    Session session(model, options);
    expectError([&] { session.predict({{"x", iota({1, 8, 8, 8})}}); },
                {"custom layer 'WrongShape' (node 'halver') gives output 0 "
                 "shape 1x8x4x4, the model expects 1x8x8x8"});
  }
}

TEST(CustomLayerPlugin, LayerThrowsInEvaluate) {
  ModelSpec spec;
  spec.className = "Thrower";
  spec.nodeName = "boom";
  auto model = makeModel(spec);
  SessionOptions options;
  options.plugins = {MLC_TEST_PLUGIN_THROWING};
  Session session(model, options);
  for (int i = 0; i < 2; ++i)
    expectError([&] { session.predict({{"x", iota({1, 4, 3, 3})}}); },
                {"custom layer 'Thrower' (node 'boom') failed: the thrower "
                 "always throws"});
}
