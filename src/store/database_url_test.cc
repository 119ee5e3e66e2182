#include "store/database_url.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "store/limits.h"
#include "store/postgres_backend.h"

namespace faqbot::store {
namespace {

TEST(DatabaseUrlTest, ParsesBothEngines) {
  auto sqlite = ParseDatabaseUrl("sqlite:./faqbot.db");
  ASSERT_TRUE(sqlite.ok());
  EXPECT_EQ(sqlite->engine, DatabaseUrl::Engine::kSqlite);
  EXPECT_EQ(sqlite->sqlite_path, "./faqbot.db");
  EXPECT_EQ(ParseDatabaseUrl("sqlite:///var/lib/faqbot.db")->sqlite_path, "/var/lib/faqbot.db");
  auto pg = ParseDatabaseUrl("postgresql://bot:pw@db:5432/faqbot");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(pg->engine, DatabaseUrl::Engine::kPostgres);
  EXPECT_EQ(ParseDatabaseUrl("postgres://db/faqbot")->engine, DatabaseUrl::Engine::kPostgres);
}

TEST(DatabaseUrlTest, RejectsOtherSchemesWithoutEchoingSecrets) {
  auto bad = ParseDatabaseUrl("mysql://root:hunter2@db/x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("hunter2"), std::string::npos);
  EXPECT_FALSE(ParseDatabaseUrl("sqlite:").ok());
  EXPECT_FALSE(ParseDatabaseUrl("").ok());
}

TEST(DatabaseUrlTest, FlagBeatsEnvironmentBeatsDefault) {
  unsetenv("FAQBOT_DATABASE_URL");
  EXPECT_EQ(ResolveDatabaseUrl(""), kDefaultDatabaseUrl);
  setenv("FAQBOT_DATABASE_URL", "postgresql://env/db", 1);
  EXPECT_EQ(ResolveDatabaseUrl(""), "postgresql://env/db");
  EXPECT_EQ(ResolveDatabaseUrl("sqlite:flag.db"), "sqlite:flag.db");
  unsetenv("FAQBOT_DATABASE_URL");
}

TEST(DatabaseUrlTest, RedactsPasswords) {
  EXPECT_EQ(PostgresBackend::RedactUrl("postgresql://bot:s3cret@db:5432/faqbot"),
            "postgresql://bot:***@db:5432/faqbot");
  EXPECT_EQ(PostgresBackend::RedactUrl("postgresql://db/faqbot"), "postgresql://db/faqbot");
  // libpq also takes the password as a parameter.
  EXPECT_EQ(PostgresBackend::RedactUrl("postgresql://bot@db/faqbot?password=s3cret"),
            "postgresql://bot@db/faqbot?password=***");
  EXPECT_EQ(PostgresBackend::RedactUrl(
                "postgres://db/faqbot?sslmode=require&PassWord=s3&cret=1&sslpassword=k3y"),
            "postgres://db/faqbot?sslmode=require&PassWord=***&cret=1&sslpassword=***");
  EXPECT_EQ(PostgresBackend::RedactUrl("postgresql://bot:s3cret@db/faqbot?password=other"),
            "postgresql://bot:***@db/faqbot?password=***");
  EXPECT_EQ(PostgresBackend::RedactUrl("postgresql://bot:pa/ss@db/faqbot"),
            "postgresql://bot:***@db/faqbot");
  // An @ in the query is no user information.
  EXPECT_EQ(PostgresBackend::RedactUrl("postgresql://db:5432/faqbot?application_name=a@b"),
            "postgresql://db:5432/faqbot?application_name=a@b");
}

TEST(StoreLimitsTest, ValidatesIdsAndTexts) {
  EXPECT_TRUE(ValidateId("U012AB3CD", "user").ok());
  EXPECT_TRUE(ValidateId("Ev0PV52K25", "event").ok());
  EXPECT_EQ(ValidateId("", "user").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateId("U1 ' OR 1=1", "user").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateId(std::string(kMaxIdBytes + 1, 'U'), "user").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateText("", 10, "answer").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateText("", 10, "name", false).ok());
  EXPECT_EQ(ValidateText("12345678901", 10, "answer").code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace faqbot::store
