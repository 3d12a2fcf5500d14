// Counted: a number and its noun, singular only for one.
#include "ceiling/base/text.h"

#include <gtest/gtest.h>

namespace ceiling {
namespace {

TEST(Counted, OneIsSingularEverythingElsePlural) {
  EXPECT_EQ(Counted(1, "GPU"), "1 GPU");
  EXPECT_EQ(Counted(8, "GPU"), "8 GPUs");
  EXPECT_EQ(Counted(0, "client"), "0 clients");
  EXPECT_EQ(Counted(2.5, "sequence"), "2.5 sequences");
  EXPECT_EQ(Counted(1, "entity", "entities"), "1 entity");
  EXPECT_EQ(Counted(3, "entity", "entities"), "3 entities");
}

}  // namespace
}  // namespace ceiling
