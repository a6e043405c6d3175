//===- ReferenceKernelsTest.cpp - The reference kernels -------------------===//

#include "KernelTestUtils.h"

using namespace mlc;
using namespace mlc::rt;
using namespace mlc::rt::test;

namespace {

TEST(ReferenceKernels, CustomOpHasNoLayer) {
  TestOp op([](flatbuffers::FlatBufferBuilder &b) {
    return format::CreateCustomParams(b, b.CreateString("MyLayer"));
  });
  TestTensor x = TestTensor::f32({1}, {1});
  EXPECT_THROW(runReference(op, {&x}, {TestTensor(ElementType::f32, {1})}),
               Error);
}

} // namespace
