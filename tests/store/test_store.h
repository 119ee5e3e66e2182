// OpenStore: the Store of a TestDatabase, opened the way every Store-backed unit test opens it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "common/clock.h"
#include "store/store.h"
#include "test_database.h"

namespace faqbot::store::testing {

// Opens `database`'s Store (migrated) on `clock`. nullptr, with a test failure saying why, when
// the database could not be created or opened; callers ASSERT_NE(…, nullptr).
inline std::unique_ptr<Store> OpenStore(const TestDatabase& database, Clock& clock) {
  if (!database.status().ok()) {
    ADD_FAILURE() << database.status();
    return nullptr;
  }
  auto opened = Store::Open(database.url(), clock);
  if (!opened.ok()) {
    ADD_FAILURE() << opened.status();
    return nullptr;
  }
  return std::move(opened).value();
}

}  // namespace faqbot::store::testing
