#include "server/secret_box.h"

#include <gtest/gtest.h>

namespace faqbot::server {
namespace {

constexpr const char* kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kOtherHexKey =
    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

SecretBox Box(const char* key = kHexKey) {
  auto box = SecretBox::FromText(key);
  EXPECT_TRUE(box.ok()) << box.status();
  return *box;
}

TEST(SecretBoxTest, SealThenOpenGivesThePlaintextBack) {
  const SecretBox box = Box();
  const std::string sealed = box.Seal("xoxb-1234-secret");
  EXPECT_EQ(sealed.find("xoxb-1234-secret"), std::string::npos);
  auto opened = box.Open(sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "xoxb-1234-secret");
  EXPECT_NE(box.Seal("xoxb-1234-secret"), sealed);  // a fresh nonce every time
}

TEST(SecretBoxTest, TamperedOrTruncatedSealIsDataLoss) {
  const SecretBox box = Box();
  std::string sealed = box.Seal("xoxb-1234-secret");
  sealed[sealed.size() - 1] ^= 0x01;
  EXPECT_EQ(box.Open(sealed).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(box.Open(sealed.substr(0, 10)).status().code(), StatusCode::kDataLoss);
}

TEST(SecretBoxTest, AnotherKeyCannotOpen) {
  const std::string sealed = Box().Seal("xoxb-1234-secret");
  auto opened = Box(kOtherHexKey).Open(sealed);
  EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(opened.status().message().find("FAQBOT_SECRET_KEY"), std::string::npos);
}

TEST(SecretBoxTest, AcceptsHexAndBase64OfThirtyTwoBytes) {
  const std::string sealed = Box().Seal("same key");
  // The same 32 bytes in base64, padded and unpadded.
  for (const char* text : {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                           "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}) {
    auto box = SecretBox::FromText(text);
    ASSERT_TRUE(box.ok()) << text << ": " << box.status();
    auto opened = box->Open(sealed);
    ASSERT_TRUE(opened.ok()) << text;
    EXPECT_EQ(*opened, "same key");
  }
}

TEST(SecretBoxTest, RefusesKeysOfAnotherLength) {
  for (const char* text : {"", "abc", "000102030405060708090a0b0c0d0e0f",  // 16 bytes
                           "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                           "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"}) {
    auto box = SecretBox::FromText(text);
    EXPECT_EQ(box.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(box.status().message().find("openssl rand -hex 32"), std::string::npos);
  }
}

TEST(SecretBoxTest, SignatureChecksMessageAndKey) {
  const SecretBox box = Box();
  const std::string mac = box.Sign("state-1");
  EXPECT_TRUE(box.Verify("state-1", mac));
  EXPECT_FALSE(box.Verify("state-2", mac));
  EXPECT_FALSE(box.Verify("state-1", mac.substr(1)));
  EXPECT_FALSE(Box(kOtherHexKey).Verify("state-1", mac));
}

}  // namespace
}  // namespace faqbot::server
