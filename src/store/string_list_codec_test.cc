#include "store/string_list_codec.h"

#include <gtest/gtest.h>

namespace faqbot::store {
namespace {

TEST(StringListCodecTest, RoundTripsAnyBytes) {
  std::string junk;
  for (int i = 0; i < 256; ++i) junk.push_back(static_cast<char>(i));
  const std::vector<std::string> items = {"", "a,b:c", "12:fake,", junk, "😀"};
  auto decoded = DecodeStringList(EncodeStringList(items));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, items);
  EXPECT_TRUE(DecodeStringList("")->empty());
}

TEST(StringListCodecTest, RejectsMalformedLists) {
  for (const char* bad :
       {"3:ab,", "3:abc", "x:abc,", ":abc,", "3:abc;", "99999999999999:a,", "-1:a,"}) {
    auto decoded = DecodeStringList(bad);
    EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss) << bad;
  }
}

}  // namespace
}  // namespace faqbot::store
