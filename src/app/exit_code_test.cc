#include "app/exit_code.h"

#include <gtest/gtest.h>

namespace faqbot::app {
namespace {

TEST(ExitCodeTest, FollowsSysexits) {
  EXPECT_EQ(ExitCodeFor(Status::Ok()), 0);
  EXPECT_EQ(ExitCodeFor(InvalidArgumentError("x")), 64);
  EXPECT_EQ(ExitCodeFor(DataLossError("x")), 65);
  EXPECT_EQ(ExitCodeFor(NotFoundError("x")), 66);
  EXPECT_EQ(ExitCodeFor(UnavailableError("x")), 69);
  EXPECT_EQ(ExitCodeFor(InternalError("x")), 70);
  EXPECT_EQ(ExitCodeFor(UnauthenticatedError("x")), 77);
}

}  // namespace
}  // namespace faqbot::app
