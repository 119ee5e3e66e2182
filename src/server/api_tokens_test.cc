#include "server/api_tokens.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "test_database.h"

namespace faqbot::server {
namespace {

const store::UserRef kAlice{"T0001", "U0ALICE"};

TEST(ApiTokensTest, HashIsTheHexSha256) {
  // FIPS 180-2 test vector for "abc".
  EXPECT_EQ(HashApiToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abc"), HashApiToken("abc"));
}

TEST(ApiTokensTest, CreatedTokensAreRandomStoredOnlyAsHashesAndFoundByValue) {
  store::testing::TestDatabase database(store::testing::Engine::kSqlite);
  ASSERT_TRUE(database.status().ok()) << database.status();
  FakeClock clock;
  auto store = store::Store::Open(database.url(), clock);
  ASSERT_TRUE(store.ok()) << store.status();

  auto first = CreateApiToken(**store, kAlice, "ci");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = CreateApiToken(**store, kAlice, "");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(first->token, second->token);
  EXPECT_EQ(first->token.rfind(kApiTokenPrefix, 0), 0u);
  EXPECT_EQ(first->token.size(), kApiTokenPrefix.size() + 64);
  EXPECT_EQ(first->info.owner, kAlice);
  EXPECT_EQ(first->info.name, "ci");

  // The database holds the hash, never the token.
  ASSERT_TRUE((*store)
                  ->backend()
                  .WithTransaction(store::TxMode::kRead,
                                   [&](store::SqlTransaction& tx) -> Status {
                                     auto rows =
                                         tx.Exec("SELECT token_hash FROM api_tokens ORDER BY id");
                                     if (!rows.ok()) return rows.status();
                                     EXPECT_EQ(rows->size(), 2u);
                                     for (const auto& row : *rows) {
                                       EXPECT_NE(row[0].str(), first->token);
                                       EXPECT_NE(row[0].str(), second->token);
                                     }
                                     EXPECT_EQ((*rows)[0][0].str(), HashApiToken(first->token));
                                     return Status::Ok();
                                   })
                  .ok());

  auto found = FindApiToken(**store, first->token);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, first->info.id);
  // A token one character off, or not shaped like one, is unknown.
  std::string wrong = first->token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_FALSE(FindApiToken(**store, wrong)->has_value());
  EXPECT_FALSE(FindApiToken(**store, "")->has_value());
  EXPECT_FALSE(FindApiToken(**store, "Bearer nonsense")->has_value());

  ASSERT_TRUE((*store)->RevokeApiToken(kAlice, first->info.id).ok());
  EXPECT_FALSE(FindApiToken(**store, first->token)->has_value());
  EXPECT_TRUE(FindApiToken(**store, second->token)->has_value());
}

}  // namespace
}  // namespace faqbot::server
