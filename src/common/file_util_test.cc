#include "common/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace faqbot {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/faqbot_file_util_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string dir_;
};

TEST_F(FileUtilTest, WritesAReadableFileAndReplacesItWhole) {
  const std::string path = dir_ + "/a.yml";
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  EXPECT_EQ(*ReadFile(path), "first");
  ASSERT_TRUE(WriteFileAtomically(path, "second, longer").ok());
  EXPECT_EQ(*ReadFile(path), "second, longer");
  EXPECT_EQ(ReadFile(dir_ + "/none").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(WriteFileAtomically(dir_ + "/no/such/dir/x", "x").code(), StatusCode::kUnavailable);
}

TEST_F(FileUtilTest, ALinkStaysALinkAndADeviceIsNotReplaced) {
  const std::string target = dir_ + "/target.yml";
  const std::string link = dir_ + "/link.yml";
  ASSERT_TRUE(WriteFileAtomically(target, "old").ok());
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  ASSERT_TRUE(WriteFileAtomically(link, "new").ok());
  struct stat st {};
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(*ReadFile(target), "new");
  // A dangling link: its target is created.
  const std::string dangling = dir_ + "/dangling.yml";
  ASSERT_EQ(symlink((dir_ + "/later.yml").c_str(), dangling.c_str()), 0);
  ASSERT_TRUE(WriteFileAtomically(dangling, "later").ok());
  EXPECT_EQ(*ReadFile(dir_ + "/later.yml"), "later");
  // A device is written, not replaced by a file: /dev/null swallows it, /dev/full refuses it.
  EXPECT_TRUE(WriteFileAtomically("/dev/null", "gone").ok());
  EXPECT_EQ(WriteFileAtomically("/dev/full", "no room").code(), StatusCode::kUnavailable);
  ASSERT_EQ(stat("/dev/full", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

}  // namespace
}  // namespace faqbot
