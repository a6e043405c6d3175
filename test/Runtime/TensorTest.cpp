//===- TensorTest.cpp - Tensors and the runtime's own allocations ---------===//

#include "AlignedBuffer.h"
#include "mlc/Runtime/Tensor.h"

#include <gtest/gtest.h>

#include <cstdint>

using namespace mlc::rt;

namespace {

bool allZero(const void *data, size_t bytes) {
  const auto *p = static_cast<const uint8_t *>(data);
  for (size_t i = 0; i < bytes; ++i)
    if (p[i])
      return false;
  return true;
}

TEST(AlignedBuffer, SmallBlocksAreVectorAlignedAndZeroed) {
  for (size_t bytes : {size_t(0), size_t(1), size_t(100), size_t(4096)}) {
    AlignedBuffer buffer = allocateZeroed(bytes, "a test");
    ASSERT_TRUE(buffer);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.get()) % 64, 0u) << bytes;
    EXPECT_TRUE(allZero(buffer.get(), bytes)) << bytes;
  }
}

// A segmentation network's output (21 classes at 224x224): on huge pages,
// whose faults cost a 20th of its 4 KB pages' (see AlignedBuffer.h).
TEST(AlignedBuffer, LargeBlocksStartOnAHugePage) {
  size_t bytes = size_t(21) * 224 * 224 * sizeof(float);
  AlignedBuffer buffer = allocateZeroed(bytes, "a test");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.get()) % (size_t(2) << 20), 0u);
  EXPECT_TRUE(allZero(buffer.get(), bytes));
}

TEST(AlignedBuffer, RefusesWhatCannotBeHadNamingIt) {
  try {
    allocateZeroed(SIZE_MAX / 2, "a test's tensor");
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("out of memory"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("a test's tensor"), std::string::npos);
  }
}

TEST(Tensor, LargeTensorsTakeHugePagesAndAllAreZeroed) {
  Tensor small(ElementType::f32, {3, 5});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data()) % 64, 0u);
  EXPECT_TRUE(allZero(small.data(), small.byteSize()));
  Tensor large(ElementType::f32, {1, 21, 224, 224});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large.data()) % (size_t(2) << 20), 0u);
  EXPECT_TRUE(allZero(large.data(), large.byteSize()));
  Tensor empty(ElementType::f32, {0, 3});
  EXPECT_NE(empty.data(), nullptr);
}

TEST(Tensor, CopiesAreDeep) {
  Tensor a = Tensor::fromFloats({2, 2}, {1, 2, 3, 4});
  Tensor b = a;
  b.data<float>()[0] = 9;
  EXPECT_EQ(a.data<float>()[0], 1);
  EXPECT_EQ(b.data<float>()[3], 4);
  EXPECT_THROW(Tensor::fromFloats({2, 2}, {1, 2, 3}), Error);
}

} // namespace
